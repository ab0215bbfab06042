"""Create the demo accounts (idempotent): one per role, a reporter per kind of unit, one
password.

The reporters cover the cases a user meets: a unit that leads and supports (省商务厅), units
that only lead (海口海关, 省委网信办), one that only supports (省委外办) and a concrete body
the office named for a collective (海口市政府 for 各市县). What each account holds is printed
from the plan, so the description cannot drift from the data.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from departments.management.lookup import department_by_any_name
from departments.models import Profile, Role
from departments.services import create_account
from tasks.models import Assignment, AssignmentRole, Task
from tasks.services.plan import name_body_for_collective

DEMO_PASSWORD = "demo12345"
# (username, role, department name or alias, what the account shows; reporters: their tasks)
DEMO_ACCOUNTS = (
    ("office", Role.OFFICE, None, "联席会议办公室：审核报送、管理方案"),
    ("member", Role.MEMBER, None, "联席会议成员：只读浏览"),
    ("shangwu", Role.REPORTER, "省商务厅", ""),
    ("haiguan", Role.REPORTER, "海口海关", ""),
    ("wangxin", Role.REPORTER, "省委网信办", ""),
    ("waiban", Role.REPORTER, "省委外办", ""),
    ("haikou", Role.REPORTER, "海口市政府", ""),
)
# The body the office names for a collective, on the first task led by the given unit on
# which the collective supports: (body, collective, lead unit).
NAMED_FOR_COLLECTIVE = ("海口市政府", "各市县", "省商务厅")


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
            self._name_body_for_collective(*NAMED_FOR_COLLECTIVE)
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

    def _name_body_for_collective(self, body_name, collective_name, lead_name) -> None:
        """Name the body for the collective on one task, unless it stands for it already."""
        body, collective = self._department(body_name), self._department(collective_name)
        if Assignment.objects.filter(department=body, on_behalf_of=collective).exists():
            return
        task = (
            Task.objects.filter(
                assignments__department=collective, assignments__role=AssignmentRole.SUPPORT
            )
            .filter(
                assignments__department=self._department(lead_name),
                assignments__role=AssignmentRole.LEAD,
            )
            .exclude(assignments__department=body)
            .order_by("programme", "number")
            .first()
        )
        if task is None:
            self.stdout.write(f"未找到可为“{collective}”指定{body}的任务，跳过。")
            return
        office = get_user_model().objects.get(username="office")
        name_body_for_collective(task=task, collective=collective, department=body, actor=office)

    def _print_how_to_log_in(self, rows) -> None:
        self.stdout.write(self.style.SUCCESS("演示账号已就绪。"))
        self.stdout.write("如何登录：打开 /accounts/login/，输入下表中的用户名和密码。")
        self.stdout.write(f"所有演示账号的密码均为：{DEMO_PASSWORD}")
        for username, _role, department, note in rows:
            if department is not None:
                note = f"{department}填报人：{describe_assignments(department)}"
            self.stdout.write(f"  {username:<10}{note}")


def describe_assignments(department) -> str:
    """Say what the department holds: 牵头 n 项、配合 m 项, 代表集合单位 k 项."""
    held = Assignment.objects.filter(department=department).values_list("role", "on_behalf_of")
    held = list(held)
    lead = sum(1 for role, _ in held if role == AssignmentRole.LEAD)
    support = len(held) - lead
    named = sum(1 for _, collective in held if collective is not None)
    parts = [f"牵头 {lead} 项"] if lead else []
    parts += [f"配合 {support} 项"] if support else []
    parts += [f"其中代表集合单位 {named} 项"] if named else []
    return "、".join(parts) or "暂无任务"
