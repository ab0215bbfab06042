"""API tokens for other government systems, issued and revoked by office staff."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from pilot import permissions

logger = logging.getLogger(__name__)


@transaction.atomic
def issue_token(*, account, actor) -> Token:
    """Give ``account`` a new token, replacing (and so revoking) any token it had."""
    if not permissions.can_manage_api_tokens(actor):
        raise PermissionDenied(_("只有联席会议办公室可以管理接口令牌。"))
    if not permissions.can_hold_api_token(account):
        raise ValidationError({"user": _("该账号不能持有接口令牌（已停用、无角色或为管理员）。")})
    Token.objects.filter(user=account).delete()
    token = Token.objects.create(user=account)
    logger.info("API token issued for %s by %s", account, actor)
    return token


@transaction.atomic
def revoke_token(*, token: Token, actor) -> None:
    if not permissions.can_manage_api_tokens(actor):
        raise PermissionDenied(_("只有联席会议办公室可以管理接口令牌。"))
    account = token.user
    token.delete()
    logger.info("API token of %s revoked by %s", account, actor)
