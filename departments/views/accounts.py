"""Account pages beyond Django's own: the password change and reset, audited."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext as _

from departments.models import AccountVerb
from departments.services import record_account_event


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change page, which also writes an account audit row (the
    account's API tokens are revoked by ``tasks.api.tokens.RevokeTokensOnPasswordChange``)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_account_event(
            account=form.user, verb=AccountVerb.PASSWORD_CHANGED, actor=self.request.user
        )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot password" page; the link in the mail points at PORTAL_BASE_URL, never
    at the Host header of the request (which an attacker chooses)."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {"portal_base_url": settings.PORTAL_BASE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's page behind the mailed link, which also writes an account audit row (the
    account's API tokens are revoked as on any password change)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_account_event(
            account=form.user,
            verb=AccountVerb.PASSWORD_CHANGED,
            actor=form.user,
            detail=_("通过邮件链接重置密码"),
        )
        return response
