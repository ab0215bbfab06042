from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from tasks.evidence import purge_orphan_files


class Command(BaseCommand):
    help = (
        "Delete evidence files no row refers to (removed evidence, abandoned uploads) once "
        "they are older than EVIDENCE_PURGE_GRACE_HOURS. Safe to run twice; run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List the files; delete nothing."
        )

    def handle(self, *args, dry_run, **options):
        names = purge_orphan_files(dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        message = _("可删除 %(n)s 个文件（未删除）。") if dry_run else _("已删除 %(n)s 个文件。")
        self.stdout.write(self.style.SUCCESS(message % {"n": len(names)}))
