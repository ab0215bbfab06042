"""API tokens (django-rest-knox) at the door: the read-only token check and the hook that
revokes an account's tokens when its password changes. Issuing and revoking are services
(``tasks/services/tokens.py``).
"""

import binascii
import logging
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions

from pilot import permissions
from tasks.services.tokens import revoke_tokens_after_password_change

logger = logging.getLogger(__name__)


class ReadOnlyKnoxAuthentication(TokenAuthentication):
    """knox's token check without its writes: an expired token is refused, not deleted
    (a GET never writes), and a token stops working as soon as its account may no longer
    hold one (deactivated, role removed, made an administrator)."""

    def authenticate_credentials(self, token: bytes):
        refused = exceptions.AuthenticationFailed(_("令牌无效或已过期。"))
        try:
            key = token.decode("ascii")
            digest = hash_token(key)
        except (UnicodeDecodeError, TypeError, ValueError, binascii.Error):
            raise refused from None
        now = timezone.now()
        candidates = AuthToken.objects.filter(
            token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH]
        ).select_related("user", "user__profile")
        for auth_token in candidates:
            if auth_token.expiry is not None and auth_token.expiry <= now:
                continue
            if compare_digest(digest, auth_token.digest):
                if not permissions.can_hold_api_token(auth_token.user):
                    raise refused
                return auth_token.user, auth_token
        raise refused


class RevokeTokensOnPasswordChange:
    """Not a rule for passwords: Django tells every entry of AUTH_PASSWORD_VALIDATORS when
    an account's password has changed (``User.save()`` after ``set_password``, whatever
    the page: the password form, the admin, ``changepassword``), which is when a stolen
    token must stop working."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            revoke_tokens_after_password_change(account=user)

    def get_help_text(self):
        return _("修改密码后，本账号的接口令牌全部失效。")
