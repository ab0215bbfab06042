"""API tokens (django-rest-knox): each account issues and revokes only its own.

Only a hash of each key is stored and every token expires (``REST_KNOX["TOKEN_TTL"]``).
The key is shown once, when issued. Issuing and revoking write account audit rows; a
password change revokes every token of the account
(``tasks.api.tokens.RevokeTokensOnPasswordChange``).
"""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from departments.models import AccountVerb
from departments.services import record_account_event
from pilot import permissions

logger = logging.getLogger(__name__)


@transaction.atomic
def issue_token(*, account, actor) -> tuple[AuthToken, str]:
    """Give ``account`` a new token, replacing (and so revoking) any token it had.

    Return the stored token and its key (which is not stored and cannot be shown again).
    """
    if not permissions.can_issue_api_token(actor, account):
        if actor.pk != account.pk:
            raise PermissionDenied(_("只能为自己的账号签发接口令牌。"))
        raise ValidationError(_("该账号不能持有接口令牌（已停用、无角色或为管理员）。"))
    return _issue(account=account, actor=actor)


@transaction.atomic
def issue_token_from_command_line(*, account) -> tuple[AuthToken, str]:
    """Issue a token as an operator on the server (``manage.py issue_api_token``)."""
    if not permissions.can_hold_api_token(account):
        raise ValidationError(_("该账号不能持有接口令牌（已停用、无角色或为管理员）。"))
    return _issue(account=account, actor=None)


def _issue(*, account, actor) -> tuple[AuthToken, str]:
    replaced = _delete_tokens(account)
    token, key = AuthToken.objects.create(user=account)
    expiry = timezone.localtime(token.expiry).strftime("%Y-%m-%d %H:%M")
    detail = _("令牌 %(prefix)s…，有效期至 %(expiry)s") % {
        "prefix": token.token_key[:8],
        "expiry": expiry,
    }
    if replaced:
        detail += _("（替换旧令牌 %(prefixes)s）") % {"prefixes": "、".join(replaced)}
    record_account_event(account=account, verb=AccountVerb.TOKEN_ISSUED, actor=actor, detail=detail)
    logger.info("API token %s issued for %s by %s", token.token_key[:8], account, actor or "cli")
    return token, key


@transaction.atomic
def revoke_token(*, token: AuthToken, actor) -> None:
    if not permissions.can_revoke_api_token(actor, token):
        raise PermissionDenied(_("只能撤销自己的接口令牌。"))
    token.delete()
    detail = _("令牌 %(prefix)s…") % {"prefix": token.token_key[:8]}
    record_account_event(account=actor, verb=AccountVerb.TOKEN_REVOKED, actor=actor, detail=detail)
    logger.info("API token %s of %s revoked", token.token_key[:8], actor)


@transaction.atomic
def revoke_tokens_after_password_change(*, account) -> int:
    """Delete every token of ``account``; record it when there was one. Return how many."""
    revoked = _delete_tokens(account)
    if revoked:
        detail = _("密码已修改，令牌 %(prefixes)s 失效") % {"prefixes": "、".join(revoked)}
        record_account_event(
            account=account, verb=AccountVerb.TOKEN_REVOKED, actor=None, detail=detail
        )
    return len(revoked)


def _delete_tokens(account) -> list[str]:
    tokens = AuthToken.objects.filter(user=account)
    prefixes = [f"{key[:8]}…" for key in tokens.values_list("token_key", flat=True)]
    if prefixes:
        tokens.delete()
    return prefixes
