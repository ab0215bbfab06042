"""Open one reporter account per department and hand out the initial passwords."""

import csv

from django.core.management.base import BaseCommand, CommandError

from departments.management.lookup import department_by_any_name
from departments.models import Department
from departments.services import create_reporter_accounts
from pilot.spreadsheet import csv_value


class Command(BaseCommand):
    help = (
        "Create one reporter account (username: pinyin of the short name, e.g. shangwu) per "
        "department; default: every "
        "concrete department holding a task. Existing accounts are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--department",
            action="append",
            default=[],
            metavar="NAME",
            help="a department by name or alias (repeatable)",
        )
        parser.add_argument(
            "--output", metavar="FILE", help="write 单位,用户名,初始密码 as CSV (UTF-8 with BOM)"
        )

    def handle(self, *args, **options):
        departments = self._departments(options["department"])
        results = create_reporter_accounts(departments=departments)
        created = [row for row in results if row[2]]
        for department, username, password in results:
            if not password:
                self.stdout.write(f"跳过 {department}：已有填报账号 {username}")
        if options["output"]:
            self._write_csv(options["output"], created)
            self.stdout.write(f"已写入 {options['output']}（{len(created)} 个新账号的初始密码）")
        else:
            for department, username, password in created:
                self.stdout.write(f"{department}\t{username}\t{password}")
        self.stdout.write(self.style.SUCCESS(f"新建填报账号 {len(created)} 个"))

    def _departments(self, names: list[str]) -> list[Department]:
        if not names:
            return list(Department.objects.concrete().filter(assignments__isnull=False).distinct())
        departments = []
        for name in names:
            department = department_by_any_name(name)
            if department is None:
                raise CommandError(f"找不到单位“{name}”（可使用全称、简称或别名）。")
            if department.is_collective:
                raise CommandError(f"“{department}”是集合单位，不能开设填报账号。")
            departments.append(department)
        return list(dict.fromkeys(departments))

    def _write_csv(self, path: str, rows) -> None:
        # Excel only recognises UTF-8 CSV by its byte-order mark.
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["单位", "用户名", "初始密码"])
            for department, username, password in rows:
                writer.writerow([csv_value(department.name), username, password])
