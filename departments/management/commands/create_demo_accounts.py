"""Create the demo accounts (idempotent): one per role, three reporters, one password."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from departments.management.lookup import department_by_any_name
from departments.models import Profile, Role
from departments.services import create_account

DEMO_PASSWORD = "demo12345"
# (username, role, department name or alias, what the account shows)
DEMO_ACCOUNTS = (
    ("office", Role.OFFICE, None, "联席会议办公室：审核报送、管理方案"),
    ("member", Role.MEMBER, None, "联席会议成员：只读浏览"),
    ("shangwu", Role.REPORTER, "省商务厅", "牵头单位填报人"),
    ("haiguan", Role.REPORTER, "海口海关", "牵头/配合单位填报人"),
    ("wangxin", Role.REPORTER, "省委网信办", "填报人"),
)


class Command(BaseCommand):
    help = "Create or reset the demo accounts (password demo12345). Refused when DEBUG is off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even though DEBUG is off (never in production)",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG 未开启：演示账号使用公开的密码，不应出现在正式环境。确需创建请加 --force。"
            )
        rows = [
            (username, role, self._department(name), note)
            for username, role, name, note in DEMO_ACCOUNTS
        ]
        with transaction.atomic():
            for username, role, department, _note in rows:
                self._ensure(username, role, department)
        self._print_how_to_log_in(rows)

    def _department(self, name):
        if name is None:
            return None
        department = department_by_any_name(name)
        if department is None:
            raise CommandError(f"找不到单位“{name}”：请先导入试点方案（manage.py load_plan）。")
        return department

    def _ensure(self, username, role, department) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            create_account(
                username=username, role=role, department=department, password=DEMO_PASSWORD
            )
            return
        # Running again resets the demo account to its documented state.
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        Profile.objects.update_or_create(
            user=user, defaults={"role": role, "department": department}
        )

    def _print_how_to_log_in(self, rows) -> None:
        self.stdout.write(self.style.SUCCESS("演示账号已就绪。"))
        self.stdout.write("如何登录：打开 /accounts/login/，输入下表中的用户名和密码。")
        self.stdout.write(f"所有演示账号的密码均为：{DEMO_PASSWORD}")
        for username, _role, department, note in rows:
            where = f"（{department}）" if department else ""
            self.stdout.write(f"  {username:<10}{note}{where}")
