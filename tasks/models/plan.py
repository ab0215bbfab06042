from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import Department


class Programme(models.Model):
    """A policy plan: its document, its pilot period and its deadline for the tasks."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    title = models.CharField(_("名称"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=100)
    issuer = models.CharField(_("印发单位"), max_length=200)
    issued_on = models.DateField(_("印发日期"))
    starts_on = models.DateField(_("试点开始"))
    ends_on = models.DateField(_("试点结束"))
    tasks_due_on = models.DateField(_("任务完成期限"))
    summary_starts_on = models.DateField(_("总结阶段开始"), null=True, blank=True)
    summary_ends_on = models.DateField(_("总结阶段结束"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("试点方案")
        verbose_name_plural = _("试点方案")

    def __str__(self):
        return self.title


class Category(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="categories", verbose_name=_("方案")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    label = models.CharField(_("编号"), max_length=10)
    title = models.CharField(_("名称"), max_length=100)

    class Meta:
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_category_number")
        ]
        verbose_name = _("任务类别")
        verbose_name_plural = _("任务类别")

    def __str__(self):
        return f"{self.label}{self.title}"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    ON_TRACK = "on_track", _("正常推进")
    BEHIND = "behind", _("进度滞后")
    BLOCKED = "blocked", _("受阻")
    COMPLETED = "completed", _("已完成")


class CurrentPlanManager(models.Manager):
    """The plan as it stands now: the rows (tasks, assignments) no plan change has ended
    (``valid_until`` empty). ``all_periods`` beside it holds every row."""

    def get_queryset(self):
        return super().get_queryset().filter(valid_until__isnull=True)


class Task(models.Model):
    """One numbered task of a programme, with the text exactly as the document has it.

    ``status`` and ``percent`` are the task's current state, derived from the accepted lead
    updates by ``tasks.services.refresh_task_status``; they are kept on the row so that lists
    and dashboards never scan the update history.

    Like ``Assignment``, a task has a validity (``tasks.services.plan_lifecycle``): a task
    retired or merged into another ends (``valid_until``, the first period it no longer
    counts) and a part split off starts (``valid_from``). ``objects`` (and
    ``programme.tasks``) hold the current plan; ``all_periods`` holds every task, for the
    figures of a past period (``tasks.plan_asof.task_in_force_q``) and for the pages of a
    retired task. Foreign keys (``update.task``) reach every task (the base manager).
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("方案")
    )
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("类别")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    measure = models.TextField(_("具体举措"))
    responsibility = models.TextField(_("责任分工（原文）"))
    # The date in force: the plan's, or the last one the office approved on an extension
    # request (every figure counts with it). ``original_due_on`` keeps the plan's date once
    # an extension has moved it (None: never moved), so figures can count either way.
    due_on = models.DateField(_("完成期限"))
    original_due_on = models.DateField(_("原定完成期限"), null=True, blank=True)
    departments = models.ManyToManyField(
        Department,
        through="Assignment",
        through_fields=("task", "department"),
        related_name="tasks",
        verbose_name=_("责任单位"),
    )
    status = models.CharField(
        _("当前状态"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    status_period = models.ForeignKey(
        "ReportingPeriod",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("状态所属期次"),
    )
    needs_coordination = models.BooleanField(_("需协调"), default=False)
    completion_confirmed_at = models.DateTimeField(_("办结确认时间"), null=True, blank=True)
    completion_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结确认人"),
    )
    valid_from = models.ForeignKey(
        "ReportingPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("起始期次"),
        help_text=_("空：自方案开始起。"),
    )
    valid_until = models.ForeignKey(
        "ReportingPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤销于期次"),
        help_text=_("自该期次起不再计入；空：现行。"),
    )
    split_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="split_parts",
        verbose_name=_("拆分自任务"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_tasks",
        verbose_name=_("并入任务"),
    )

    objects = CurrentPlanManager()
    all_periods = models.Manager()  # noqa: DJ012 (a second manager, not a field)

    class Meta:
        ordering = ["programme", "number"]
        base_manager_name = "all_periods"
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_task_number")
        ]
        indexes = [models.Index(fields=["programme", "status"])]
        verbose_name = _("试点任务")
        verbose_name_plural = _("试点任务")

    def __str__(self):
        return f"{self.number}. {self.measure[:30]}"

    @property
    def planned_due_on(self):
        """The due date before any approved extension (按原定)."""
        return self.original_due_on or self.due_on

    @property
    def is_extended(self) -> bool:
        return self.original_due_on is not None and self.original_due_on != self.due_on

    @property
    def is_retired(self) -> bool:
        """Retired or merged into another task: no longer part of the current plan."""
        return self.valid_until_id is not None


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    SUPPORT = "support", _("配合单位")


class Assignment(models.Model):
    """A department's responsibility for a task, as lead or supporting unit.

    A plan change (tasks.services.plan_history) never deletes or rewrites an assignment
    that was in force: it ends it (``valid_until``, the first period it no longer holds)
    and adds the new one (``valid_from``), so earlier periods keep the plan as it stood.
    ``objects`` (and ``task.assignments``) hold the current plan only; ``all_periods``
    holds every row, for the figures of a past period (``tasks.plan_asof``).
    """

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("任务")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("单位")
    )
    role = models.CharField(_("职责"), max_length=10, choices=AssignmentRole.choices)
    # Set when the office names a concrete body for a collective (各市县, 有关部门) on a task.
    on_behalf_of = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代表集合单位"),
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    valid_from = models.ForeignKey(
        "ReportingPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("起始期次"),
        help_text=_("空：自方案开始起。"),
    )
    valid_until = models.ForeignKey(
        "ReportingPeriod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("终止于期次"),
        help_text=_("自该期次起不再承担；空：现行。"),
    )

    objects = CurrentPlanManager()
    all_periods = models.Manager()  # noqa: DJ012 (a second manager, not a field)

    class Meta:
        ordering = ["task", "role", "order"]
        base_manager_name = "all_periods"
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department"],
                condition=models.Q(valid_until__isnull=True),
                name="unique_current_assignment",
            )
        ]
        indexes = [models.Index(fields=["department", "role"])]
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任分工")

    def __str__(self):
        return f"{self.task.number} {self.department} {self.get_role_display()}"
