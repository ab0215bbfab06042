from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Prepare a demo portal: load the plan, create the periods, return reasons, demo "
        "accounts, periodic schedules and a clearly labelled demo history. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="allow running with DEBUG off (not for real data)"
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("setup_demo 仅用于演示环境（DEBUG=1）；确需执行请加 --force。")
        call_command("load_plan", stdout=self.stdout)
        call_command("generate_periods", stdout=self.stdout)
        call_command("seed_return_reasons", stdout=self.stdout)
        call_command("create_demo_accounts", stdout=self.stdout)
        call_command("sync_office_group", stdout=self.stdout)
        call_command("setup_schedules", stdout=self.stdout)
        # Once someone has filed a real update the demo history is left alone (see --force).
        call_command("fill_demo_history", "--skip-if-real", stdout=self.stdout)
