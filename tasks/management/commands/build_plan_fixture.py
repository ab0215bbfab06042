from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tasks.plan_loading import build_plan_fixture_text


def default_fixture_path() -> Path:
    return Path(settings.BASE_DIR) / "fixtures" / "plan.json"


class Command(BaseCommand):
    help = "Parse the seed copy of 琼商服〔2020〕150号 and write fixtures/plan.json."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Where to write (fixtures/plan.json).")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail if the file differs from what would be generated.",
        )

    def handle(self, *args, output, check, **options):
        path = output or default_fixture_path()
        text = build_plan_fixture_text()
        if check:
            self._check(path, text)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(_("已写入 %(path)s。") % {"path": path}))

    def _check(self, path: Path, text: str) -> None:
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            raise CommandError(
                _("%(path)s 与解析结果不一致，请运行 build_plan_fixture 重新生成并提交。")
                % {"path": path}
            )
        self.stdout.write(self.style.SUCCESS(_("%(path)s 是最新的。") % {"path": path}))
