"""The task list: every filter the dashboards drill down to, search, paging, xlsx export.

Each dashboard figure links here with the filters that select exactly the tasks behind it
(``reports.figures`` defines them: warning colour, overdue, expected submissions, ...).
"""

from io import BytesIO

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from departments.models import Department
from pilot import clock, permissions
from reports import figures
from tasks import selectors
from tasks.models import (
    Assignment,
    AssignmentRole,
    Category,
    Programme,
    ReportingPeriod,
    Task,
    TaskStatus,
)

PAGE_SIZE = 50
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLOUR_LABELS = dict(figures.WarningColour.choices)
REPORTING_CHOICES = (
    ("expected", gettext_lazy("本期应报")),
    ("on_time", gettext_lazy("按时报送")),
    ("late", gettext_lazy("逾期报送")),
    ("missing", gettext_lazy("未报送")),
)


class TaskFilterForm(forms.Form):
    """The task list's filters; every field is optional (empty means "all")."""

    q = forms.CharField(label=gettext_lazy("搜索举措"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=gettext_lazy("类别"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部类别"),
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=gettext_lazy("全部单位"),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("职责"),
        choices=[("", gettext_lazy("牵头或配合")), *AssignmentRole.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("当前状态"),
        choices=[("", gettext_lazy("全部状态")), *TaskStatus.choices],
        required=False,
    )
    colour = forms.ChoiceField(
        label=gettext_lazy("预警灯"),
        choices=[("", gettext_lazy("全部")), *figures.WarningColour.choices],
        required=False,
    )
    coordination = forms.BooleanField(label=gettext_lazy("仅看需协调"), required=False)
    overdue = forms.BooleanField(label=gettext_lazy("仅看逾期"), required=False)
    confirmed = forms.BooleanField(label=gettext_lazy("仅看已办结"), required=False)
    past_due = forms.BooleanField(label=gettext_lazy("仅看已到期"), required=False)
    reporting = forms.ChoiceField(
        label=gettext_lazy("报送情况"),
        choices=[("", gettext_lazy("不限")), *REPORTING_CHOICES],
        required=False,
    )
    period = forms.ModelChoiceField(
        label=gettext_lazy("期次"),
        queryset=ReportingPeriod.objects.none(),
        required=False,
        empty_label=gettext_lazy("—"),
    )

    def __init__(self, data, *, programme: Programme):
        super().__init__(data)
        self.fields["category"].queryset = Category.objects.filter(programme=programme)
        self.fields["period"].queryset = ReportingPeriod.objects.filter(programme=programme)

    def clean(self):
        data = super().clean()
        if data.get("reporting") and not data.get("period"):
            self.add_error("period", _("按报送情况筛选时请选择期次。"))
        return data


def filter_tasks(*, programme: Programme, filters: dict):
    """Return the programme's tasks matching the cleaned ``filters``, with their rows' joins."""
    today = clock.today()
    tasks = (
        Task.objects.filter(programme=programme)
        .select_related("category")
        .annotate(colour=figures.warning_colour(today=today))
        .order_by("number")
    )
    if filters.get("q"):
        tasks = tasks.filter(measure__icontains=filters["q"])
    for name in ("category", "status", "colour"):
        if filters.get(name):
            tasks = tasks.filter(**{name: filters[name]})
    department = filters.get("department")
    if department is not None:
        held = Assignment.objects.filter(task_id=OuterRef("pk"), department=department)
        if filters.get("role"):
            held = held.filter(role=filters["role"])
        tasks = tasks.filter(Exists(held))
    if filters.get("coordination"):
        tasks = tasks.filter(needs_coordination=True)
    if filters.get("overdue"):
        tasks = tasks.filter(figures.overdue_q(today=today))
    if filters.get("confirmed"):
        tasks = tasks.filter(completion_confirmed_at__isnull=False)
    if filters.get("past_due"):
        tasks = tasks.filter(due_on__lt=today)
    if filters.get("reporting") and filters.get("period"):
        outcome = figures.reporting_outcome_q(
            period=filters["period"], outcome=filters["reporting"], department=department
        )
        tasks = tasks.filter(outcome)
    assignments = Assignment.objects.select_related("department").order_by("role", "order")
    return tasks.prefetch_related(Prefetch("assignments", queryset=assignments))


def _programme(request) -> Programme:
    code = request.GET.get("programme")
    programme = (
        Programme.objects.filter(code=code).first() if code else selectors.default_programme()
    )
    if programme is None:
        raise Http404(_("找不到试点方案。"))
    return programme


@require_GET
@login_required
def task_list(request):
    """List the programme's tasks by the chosen filters, 50 a page, or export them (xlsx)."""
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    programme = _programme(request)
    form = TaskFilterForm(request.GET, programme=programme)
    if not form.is_valid():
        context = {"form": form, "programme": programme, "page": None}
        return render(request, "tasks/task_list.html", context, status=400)
    tasks = filter_tasks(programme=programme, filters=form.cleaned_data)
    if request.GET.get("format") == "xlsx":
        return task_list_xlsx(tasks=tasks)
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    for task in page:  # the template prints names, not loops (50 rows, prefetched)
        task.lead_units = _units(task, AssignmentRole.LEAD)
        task.support_units = _units(task, AssignmentRole.SUPPORT)
    context = {"form": form, "programme": programme, "page": page}
    return render(request, "tasks/task_list.html", context)


def _units(task, role) -> str:
    return "、".join(a.department.name for a in task.assignments.all() if a.role == role)


def task_list_xlsx(*, tasks) -> FileResponse:
    """Return the filtered tasks as a write-only workbook (small: one programme at most)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("任务清单"))
    sheet.append(
        [
            _("序号"),
            _("类别"),
            _("具体举措"),
            _("牵头单位"),
            _("配合单位"),
            _("完成期限"),
            _("当前状态"),
            _("完成进度（%）"),
            _("预警灯"),
            _("需协调"),
            _("办结确认"),
        ]
    )
    for task in tasks.iterator(chunk_size=500):
        sheet.append(
            [
                task.number,
                str(task.category),
                task.measure,
                _units(task, AssignmentRole.LEAD),
                _units(task, AssignmentRole.SUPPORT),
                task.due_on,
                task.get_status_display(),
                task.percent,
                str(COLOUR_LABELS[task.colour]),
                _("是") if task.needs_coordination else "",
                _("是") if task.completion_confirmed_at else "",
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer, as_attachment=True, filename=_("任务清单.xlsx"), content_type=XLSX_CONTENT_TYPE
    )
