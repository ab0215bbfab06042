import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import Department, DepartmentAlias
from tasks.management.commands.build_plan_fixture import default_fixture_path
from tasks.models import Assignment, Category, Programme, Task


class Command(BaseCommand):
    help = (
        "Load fixtures/plan.json (departments, the programme, its categories, tasks and "
        "assignments). Does nothing if the programme is already loaded, so that running it "
        "again never resets the tasks' progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fixture", type=Path, help="Fixture to load (fixtures/plan.json).")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if the programme exists: overwrites the plan rows, task status "
            "and progress included. Only before reporting has started.",
        )

    def handle(self, *args, fixture, force, **options):
        path = fixture or default_fixture_path()
        code = _programme_code(path)
        if Programme.objects.filter(code=code).exists() and not force:
            self.stdout.write(_("试点方案 %(code)s 已导入，未作任何修改。") % {"code": code})
        else:
            with transaction.atomic():
                call_command("loaddata", str(path), verbosity=0)
            self.stdout.write(self.style.SUCCESS(_("已导入 %(path)s。") % {"path": path}))
        self._print_counts(code)

    def _print_counts(self, code: str) -> None:
        programme = Programme.objects.get(code=code)
        counts = {
            _("单位"): Department.objects.count(),
            _("单位别名"): DepartmentAlias.objects.count(),
            _("任务类别"): Category.objects.filter(programme=programme).count(),
            _("试点任务"): Task.objects.filter(programme=programme).count(),
            _("责任分工"): Assignment.objects.filter(task__programme=programme).count(),
        }
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count}")


def _programme_code(path: Path) -> str:
    """Return the code of the one programme the fixture holds."""
    try:
        records = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CommandError(
            _("无法读取 %(path)s：%(error)s") % {"path": path, "error": error}
        ) from error
    codes = [r["fields"]["code"] for r in records if r.get("model") == "tasks.programme"]
    if len(codes) != 1:
        raise CommandError(_("%(path)s 应当恰好包含一个试点方案。") % {"path": path})
    return codes[0]
