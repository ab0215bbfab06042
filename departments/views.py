"""Account pages beyond Django's own: the password change, audited."""

from django.contrib.auth import views as auth_views

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
