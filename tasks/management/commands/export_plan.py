from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tasks.exports.plan import build_plan_workbook
from tasks.models import Programme


class Command(BaseCommand):
    help = "Write a programme's 责任分工表 (one row per task) to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, required=True, help="The .xlsx to write.")
        parser.add_argument("--programme", help="Programme code (default: the first one).")

    def handle(self, *args, output, programme, **options):
        selected = _programme(programme)
        build_plan_workbook(programme=selected).save(output)
        self.stdout.write(self.style.SUCCESS(_("已导出到 %(path)s。") % {"path": output}))


def _programme(code: str | None) -> Programme:
    programmes = Programme.objects.all()
    if code:
        programmes = programmes.filter(code=code)
    programme = programmes.first()
    if programme is None and code:
        raise CommandError(_("找不到代码为 %(code)s 的试点方案。") % {"code": code})
    if programme is None:
        raise CommandError(_("尚未导入任何试点方案，请先运行 load_plan。"))
    return programme
