"""Issue an API token for an account from the server's command line (written to the audit)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tasks.services.tokens import issue_token_from_command_line


class Command(BaseCommand):
    help = (
        "Issue a new API token for USERNAME (replacing its old one) and print the key on "
        "stdout, alone on its line; the key is not stored and cannot be shown again. Users "
        "issue their own tokens in the API (POST /api/v1/tokens/ while signed in)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            account = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户名为“{username}”的账号。") from None
        try:
            token, key = issue_token_from_command_line(account=account)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        expiry = timezone.localtime(token.expiry).strftime("%Y-%m-%d %H:%M")
        self.stderr.write(f"已为 {username} 签发接口令牌，有效期至 {expiry}。")
        self.stdout.write(key)
