"""factory_boy factories shared by every app's tests."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from departments.models import Department, DepartmentKind, Profile
from tasks.models import (
    Assignment,
    AssignmentRole,
    Category,
    Programme,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    TaskStatus,
)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试厅{n}")
    kind = DepartmentKind.PROVINCIAL


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pass-word-123")

    @factory.post_generation
    def persist(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(username: str, role: str, department: Department | None = None):
    """Create a user with a portal role (and department, for reporters)."""
    user = UserFactory(username=username)
    Profile.objects.update_or_create(user=user, defaults={"role": role, "department": department})
    return user


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"programme-{n}")
    title = factory.Sequence(lambda n: f"测试试点方案{n}")
    doc_number = "测〔2021〕1号"
    issuer = "测试联席会议办公室"
    issued_on = datetime.date(2021, 1, 1)
    starts_on = datetime.date(2021, 1, 1)
    ends_on = datetime.date(2021, 7, 1)
    tasks_due_on = datetime.date(2021, 6, 30)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"（{o.number}）")
    title = factory.Sequence(lambda n: f"类别{n}")


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    category = factory.SubFactory(CategoryFactory)
    programme = factory.LazyAttribute(lambda o: o.category.programme)
    number = factory.Sequence(lambda n: n + 1)
    measure = factory.Sequence(lambda n: f"具体举措{n}：推进服务贸易创新发展。")
    responsibility = "测试厅负责推进。"
    due_on = factory.LazyAttribute(lambda o: o.programme.tasks_due_on)
    status = TaskStatus.NOT_STARTED


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = AssignmentRole.LEAD


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod
        django_get_or_create = ("programme", "year", "month")

    programme = factory.SubFactory(ProgrammeFactory)
    year = 2021
    month = 1
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.year, o.month, 1))
    ends_on = factory.LazyAttribute(
        lambda o: (
            (o.starts_on + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
        )
    )
    due_on = factory.LazyAttribute(lambda o: datetime.date(o.year, o.month, 25))


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    task = factory.SubFactory(TaskFactory)
    period = factory.SubFactory(PeriodFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = AssignmentRole.LEAD
    status = TaskStatus.ON_TRACK
    percent = 50
    work_done = "完成了本期工作。"
    next_steps = "继续推进。"
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


def stamp(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """Return an aware Asia/Shanghai datetime, for pinning the clock in tests."""
    return datetime.datetime(
        year, month, day, hour, minute, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )
