"""Who may see and do what: every access rule of the portal, in one place.

Views, the API, exports and templates ask these functions; none of them re-states a rule.
Each rule is one condition per line so that a reviewer can audit it (Zulip's ``access_*``
helpers are the model) and ``pilot/tests/test_permissions.py`` checks them as a matrix of
personas: office staff, a lead unit's reporter, a supporting unit's reporter, an outsider
department's reporter, a read-only member and an anonymous visitor.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from departments.models import Department, Role
from pilot import clock
from tasks import periods
from tasks.models import (
    Assignment,
    AssignmentRole,
    ProgressUpdate,
    ReportingPeriod,
    Task,
    UpdateState,
)
from tasks.plan_asof import held_as_of, held_by_q, in_force_q

EDITABLE_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)
# Audit verbs of extension requests and supervision slips (tasks.models.AuditVerb).
SUPERVISION_VERBS = (
    "extension_requested",
    "extension_supplemented",
    "extension_approved",
    "extension_rejected",
    "extension_more_info",
    "slip_issued",
    "slip_answered",
    "slip_accepted",
    "slip_returned",
    "slip_escalated",
    "slip_closed",
)


def role_of(user) -> str | None:
    """Return the user's portal role, or None for anonymous users and users without one."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def is_office(user) -> bool:
    """Office staff and administrators run the programme."""
    return role_of(user) in (Role.OFFICE, Role.ADMIN)


def is_member(user) -> bool:
    return role_of(user) == Role.MEMBER


def is_reporter(user) -> bool:
    return role_of(user) == Role.REPORTER


def reporter_department(user) -> Department | None:
    """Return the department a reporter files for (None for every other role)."""
    if not is_reporter(user):
        return None
    return user.profile.department


def role_flags(user) -> dict:
    return {
        "role": role_of(user),
        "office": is_office(user),
        "member": is_member(user),
        "reporter": is_reporter(user),
        "department": reporter_department(user),
        "dashboards": can_view_dashboards(user),
        "admin_site": can_use_admin_site(user),
        "reports": can_view_reports(user),
        "review": can_use_review_queue(user),
        "scores": can_view_scores(user),
        "meetings": can_view_meetings(user),
        "plan_import": can_import_plan(user),
        "plan_changes": can_view_plan_changes(user),
    }


# --- reading -------------------------------------------------------------------------


def can_use_portal(user) -> bool:
    """Any signed-in user with a role reads the plan: tasks, periods, accepted updates."""
    return role_of(user) is not None


def can_view_dashboards(user) -> bool:
    return is_office(user) or is_member(user) or is_reporter(user)


def can_view_department_dashboard(user, department: Department) -> bool:
    if is_office(user) or is_member(user):
        return True
    return reporter_department(user) == department


def can_view_update(user, update: ProgressUpdate) -> bool:
    """Accepted updates are public to the portal; the rest only to those who handle them."""
    if not can_use_portal(user):
        return False
    if is_office(user):
        # A draft is the department's own work in progress, the office's included.
        return update.state != UpdateState.DRAFT
    if update.state == UpdateState.ACCEPTED:
        return True
    department = reporter_department(user)
    if department is None:
        return False
    if update.department_id == department.pk:
        return True
    # A lead unit sees the supporting units' submitted input on the task it led in the
    # input's period, never their drafts.
    return (
        update.role == AssignmentRole.SUPPORT
        and update.state != UpdateState.DRAFT
        and _holds(department, update.task_id, AssignmentRole.LEAD, update.period)
    )


def visible_updates(user, queryset: QuerySet[ProgressUpdate]) -> QuerySet[ProgressUpdate]:
    """Filter ``queryset`` in SQL to the updates ``can_view_update`` allows."""
    if not can_use_portal(user):
        return queryset.none()
    if is_office(user):
        return queryset.exclude(state=UpdateState.DRAFT)
    department = reporter_department(user)
    if department is None:
        return queryset.filter(state=UpdateState.ACCEPTED)
    # The tasks it ever led (one uncorrelated subquery the database hashes) narrow the
    # inputs before the correlated test of the lead in each input's period.
    led_ever = Assignment.all_periods.filter(
        held_by_q(department=department), role=AssignmentRole.LEAD
    ).values("task_id")
    return queryset.filter(
        Q(state=UpdateState.ACCEPTED)
        | Q(department=department)
        | (
            Q(role=AssignmentRole.SUPPORT, task_id__in=led_ever)
            & ~Q(state=UpdateState.DRAFT)
            & Q(_led_in_its_period(department))
        )
    )


def _led_in_its_period(department: Department) -> Exists:
    """Return an Exists over ProgressUpdate rows: ``department`` led the update's task in
    the update's period."""
    return Exists(
        Assignment.all_periods.filter(
            held_by_q(department=department),
            role=AssignmentRole.LEAD,
            task_id=OuterRef("task_id"),
        ).filter(in_force_q(start=OuterRef("period__starts_on")))
    )


def visible_audit_events(user, queryset: QuerySet) -> QuerySet:
    """Filter audit events in SQL: events about a task for all, about an update as it.

    A draft's history (its edits, its file names) stays with its department.
    """
    if is_office(user):
        # Every update but the drafts: leave out the drafts' events (a period's worth at
        # most) rather than test each event against the million visible updates, which
        # PostgreSQL cannot hash and would run once per event.
        drafts = ProgressUpdate.objects.filter(state=UpdateState.DRAFT).values("pk")
        return queryset.exclude(update__in=drafts)
    updates = visible_updates(user, ProgressUpdate.objects.all())
    queryset = queryset.filter(Q(update__isnull=True) | Q(update__in=updates.values("pk")))
    return without_others_supervision_events(user, queryset)


def without_others_supervision_events(user, queryset: QuerySet) -> QuerySet:
    """Extension requests and slips are between a unit and the office: a reporter follows
    its own on the task page's panel and never reads another unit's in the history."""
    if is_office(user) or is_member(user):
        return queryset
    return queryset.exclude(verb__in=SUPERVISION_VERBS)


def can_download_evidence(user, evidence) -> bool:
    return can_view_update(user, evidence.update)


# --- writing -------------------------------------------------------------------------


def can_file_update(user, task: Task, period: ReportingPeriod) -> bool:
    """A reporter files for a task their department holds in ``period`` (the plan in force
    then, not the plan as it stands now), in an open period of its plan."""
    department = reporter_department(user)
    if department is None:
        return False
    if not period_accepts_filing(period):
        return False
    if period.programme_id != task.programme_id:
        return False
    if task.completion_confirmed_at is not None:
        return False
    if out_of_plan(task, period) is not None:
        return False
    return _holds(department, task.pk, None, period)


def out_of_plan(task: Task, period: ReportingPeriod) -> str | None:
    """Return why ``task`` takes no filing for ``period``: retired or merged into another
    task by ``period`` (its units were released from then on; the periods before still
    take their reports), or split off from a later period than ``period``; None when it
    was in the plan in ``period``."""
    if task.valid_until_id is not None and task.valid_until.starts_on <= period.starts_on:
        if task.merged_into_id is not None:
            return _("该任务已自%(period)s起并入任务 %(number)s，请在任务 %(number)s 下填报。") % {
                "period": task.valid_until,
                "number": task.merged_into.number,
            }
        return _("该任务已自%(period)s起撤销，不再填报。") % {"period": task.valid_until}
    if task.valid_from_id is not None and task.valid_from.starts_on > period.starts_on:
        return _("该任务自%(period)s起才列入方案，不能填报此前的期次。") % {
            "period": task.valid_from
        }
    return None


def can_edit_update(user, update: ProgressUpdate) -> bool:
    """Only the department's own reporters edit, and only drafts and returned updates."""
    department = reporter_department(user)
    if department is None:
        return False
    if update.department_id != department.pk:
        return False
    if update.state not in EDITABLE_STATES:
        return False
    return period_accepts_filing(update.period)


def can_withdraw_update(user, update: ProgressUpdate) -> bool:
    """A department's reporters take back (撤回) its submitted update until it is reviewed.

    Review starts when the office (or, for a supporting input, a lead unit) accepts or
    returns it, or when a lead unit submits an update that draws on the input.
    """
    department = reporter_department(user)
    if department is None:
        return False
    if update.department_id != department.pk:
        return False
    if update.state != UpdateState.SUBMITTED:
        return False
    if not period_accepts_filing(update.period):
        return False
    return not _drawn_into_submitted_lead(update)


def _drawn_into_submitted_lead(update: ProgressUpdate) -> bool:
    if update.role != AssignmentRole.SUPPORT:
        return False
    reviewed = (UpdateState.SUBMITTED, UpdateState.ACCEPTED)
    return update.drawn_into.filter(state__in=reviewed).exists()


def period_accepts_filing(period: ReportingPeriod) -> bool:
    """A period takes filing from a few days before it starts until the office closes it."""
    return periods.filing_window(period, clock.today()) == periods.FilingWindow.OPEN


def filing_refusal(user, task: Task, period: ReportingPeriod) -> str | None:
    """Return why ``user`` may not file for (task, period), or None when they may.

    The same conditions as ``can_file_update``, worded for the reporter.
    """
    if can_file_update(user, task, period):
        return None
    refusal = out_of_plan(task, period) if period.programme_id == task.programme_id else None
    if refusal is not None:
        return refusal
    period_refusal = periods.filing_refusal(period, clock.today())
    if period_refusal and reporter_department(user) is not None:
        return period_refusal
    if task.completion_confirmed_at is not None:
        return _("该任务已办结确认，不能再填报。")
    department = reporter_department(user)
    if department is None or period.programme_id != task.programme_id:
        return _("您的单位不承担该任务。")
    return _not_held_refusal(department, task, period)


def _not_held_refusal(department: Department, task: Task, period: ReportingPeriod) -> str:
    """Word why ``department`` may not file ``task`` for ``period``: it takes the task over
    from a later period, it gave the task up before ``period`` (a plan change), or it
    never held it. Asked only once filing is refused (two queries at most)."""
    held = Assignment.all_periods.filter(held_by_q(department=department), task_id=task.pk)
    later = (
        held.filter(valid_from__starts_on__gt=period.starts_on)
        .select_related("valid_from")
        .order_by("valid_from__starts_on")
        .first()
    )
    if later is not None:
        return _("本单位自%(period)s起才承担该任务，%(this)s仍由原责任单位填报。") % {
            "period": later.valid_from,
            "this": period,
        }
    ended = (
        held.filter(valid_until__starts_on__lte=period.starts_on)
        .select_related("valid_until")
        .order_by("-valid_until__starts_on")
        .first()
    )
    if ended is not None:
        return _("本单位自%(period)s起不再承担该任务，不能填报%(this)s。") % {
            "period": ended.valid_until,
            "this": period,
        }
    return _("您的单位不承担该任务。")


def can_review_update(user, update: ProgressUpdate) -> bool:
    """Office staff review the lead units' submitted updates."""
    if not is_office(user):
        return False
    if update.role != AssignmentRole.LEAD:
        return False
    return update.state == UpdateState.SUBMITTED


def can_return_input(user, update: ProgressUpdate) -> bool:
    """A lead unit may send a supporting unit's submitted input back for more work."""
    department = reporter_department(user)
    if department is None:
        return False
    if update.role != AssignmentRole.SUPPORT:
        return False
    if update.state != UpdateState.SUBMITTED:
        return False
    return _holds(department, update.task_id, AssignmentRole.LEAD, update.period)


def returnable_inputs(user, updates: list[ProgressUpdate]) -> set[int]:
    """Return the pks of ``updates`` that ``can_return_input`` allows, in one query.

    The same conditions as ``can_return_input``; the lead-unit check (in each input's
    period) is asked once for all the inputs instead of once per input (a lead's panel
    lists every supporting unit).
    """
    department = reporter_department(user)
    if department is None:
        return set()
    candidates = [
        update
        for update in updates
        if update.role == AssignmentRole.SUPPORT and update.state == UpdateState.SUBMITTED
    ]
    if not candidates:
        return set()
    return set(
        ProgressUpdate.objects.filter(pk__in=[update.pk for update in candidates])
        .filter(_led_in_its_period(department))
        .values_list("pk", flat=True)
    )


def can_use_review_queue(user) -> bool:
    """Office staff work through the review queue of lead units' updates."""
    return is_office(user)


def can_open_review(user, update: ProgressUpdate) -> bool:
    """The review page of one update: office staff, for updates they may see."""
    if not can_use_review_queue(user):
        return False
    return can_view_update(user, update)


def can_confirm_completion(user, task: Task) -> bool:
    """The office confirms a task done (办结确认) once its accepted lead reports say so."""
    if not is_office(user):
        return False
    if task.completion_confirmed_at is not None or task.valid_until_id is not None:
        return False
    return task.status == "completed"


def can_manage_plan(user) -> bool:
    """Plan, departments, accounts, periods and return reasons are the office's."""
    return is_office(user)


def can_import_plan(user) -> bool:
    """Importing a new programme's plan (upload, preview, confirm) is the office's."""
    return is_office(user)


def can_view_plan_changes(user) -> bool:
    """The log of plan changes (方案变更记录): the office and the joint meeting's members.

    Reporters see the changes of their own tasks in each task's 沿革 and history."""
    return is_office(user) or is_member(user)


def can_request_report(user) -> bool:
    return is_office(user)


def can_view_reports(user) -> bool:
    return is_office(user) or is_member(user)


def can_cancel_run(user, run) -> bool:
    # ``run`` is a reports.models.ReportRun (not imported: reports depends on this module).
    return can_request_report(user) and run.is_active


def can_retry_run(user, run) -> bool:
    return can_request_report(user) and run.state in ("failed", "cancelled")


def can_resend_delivery(user, delivery) -> bool:
    # A failed or unknown delivery not yet sent again (reports.models.RESENDABLE_RESULTS).
    return (
        can_request_report(user)
        and delivery.result in ("failed", "unknown")
        and delivery.resent_as_id is None
    )


def can_manage_report_template(user) -> bool:
    """The Word template of the reports is the office's (download and upload)."""
    return is_office(user)


# --- scoring (考核) and the joint meeting ----------------------------------------------


def can_view_scores(user) -> bool:
    """The scores page: office and members see every unit, a reporter its own unit's line."""
    return is_office(user) or is_member(user) or is_reporter(user)


def can_view_all_scores(user) -> bool:
    """The ranking of all units (a reporter sees only its own unit's score and breakdown)."""
    return is_office(user) or is_member(user)


def can_edit_score_formula(user) -> bool:
    """The office sets the weights (each change is a new version)."""
    return is_office(user)


def can_publish_scores(user) -> bool:
    return is_office(user)


def can_export_scores(user) -> bool:
    """The workbook for the 考核 office: whoever sees the whole ranking."""
    return can_view_all_scores(user)


def can_manage_meetings(user) -> bool:
    """The office builds a joint meeting's agenda and records its decisions (议定事项)."""
    return is_office(user)


def can_view_meetings(user) -> bool:
    """Meetings and their packs: office and members. A reporter follows a decision assigned
    to its unit as the task it became (it reports on it like on any task)."""
    return is_office(user) or is_member(user)


# --- extensions (延期申请) and supervision slips (督办单) -----------------------------------


def can_request_extension(user, task: Task) -> bool:
    """A lead unit's reporter asks for a later due date of an unfinished task: a lead of
    the plan as it stands now (the due date ahead is the new lead's once a change is made).

    Whether the due date has passed or another request is open is the service's check
    (tasks.services.extensions), which words the refusal.
    """
    department = reporter_department(user)
    if department is None:
        return False
    if task.completion_confirmed_at is not None:
        return False
    return department.assignments.filter(task_id=task.pk, role=AssignmentRole.LEAD).exists()


def can_view_extension(user, extension) -> bool:
    """An approved extension is public (it moved the due date); the rest is between the
    requesting unit and the office."""
    if not can_use_portal(user):
        return False
    if is_office(user):
        return True
    if extension.state == "approved":
        return True
    department = reporter_department(user)
    return department is not None and extension.department_id == department.pk


def visible_extensions(user, queryset: QuerySet) -> QuerySet:
    """Filter extension requests in SQL to those ``can_view_extension`` allows."""
    if not can_use_portal(user):
        return queryset.none()
    if is_office(user):
        return queryset
    department = reporter_department(user)
    if department is None:
        return queryset.filter(state="approved")
    return queryset.filter(Q(state="approved") | Q(department=department))


def can_decide_extension(user, extension) -> bool:
    """The office approves, rejects or asks for more on a pending request."""
    return is_office(user) and extension.state == "pending"


def can_supplement_extension(user, extension) -> bool:
    """The requesting unit answers the office's request for more (补充材料)."""
    department = reporter_department(user)
    if department is None:
        return False
    if extension.department_id != department.pk:
        return False
    return extension.state == "more_info"


def can_issue_slip(user) -> bool:
    """Only the office issues supervision slips by hand (and edits the rules)."""
    return is_office(user)


def can_view_slip(user, slip) -> bool:
    """A slip and its answer: the office, the members, and the unit it is addressed to."""
    if is_office(user) or is_member(user):
        return True
    department = reporter_department(user)
    return department is not None and slip.department_id == department.pk


def visible_slips(user, queryset: QuerySet) -> QuerySet:
    """Filter slips in SQL to those ``can_view_slip`` allows."""
    if is_office(user) or is_member(user):
        return queryset
    department = reporter_department(user)
    if department is None:
        return queryset.none()
    return queryset.filter(department=department)


def can_respond_slip(user, slip) -> bool:
    """The addressed unit's reporters answer an issued slip (整改措施, 完成时限)."""
    department = reporter_department(user)
    if department is None:
        return False
    if slip.department_id != department.pk:
        return False
    return slip.status == "issued"


def can_review_slip(user, slip) -> bool:
    """The office accepts or returns an answer."""
    return is_office(user) and slip.status == "answered"


def can_close_slip(user, slip) -> bool:
    """The office closes an outstanding slip (issued in error, or overtaken by events)."""
    return is_office(user) and slip.status in ("issued", "answered")


# --- the REST API (tasks.api) ----------------------------------------------------------


def can_start_updates(user) -> bool:
    """Only reporters open updates (for their own department's tasks)."""
    return reporter_department(user) is not None


def can_hold_api_token(account) -> bool:
    """A token may act for an active account with a portal role, never for an administrator."""
    if not account.is_authenticated:
        return False
    if not account.is_active:
        return False
    if account.is_superuser:
        return False
    return role_of(account) not in (None, Role.ADMIN)


def can_issue_api_token(actor, account) -> bool:
    """Each account issues its own tokens, never another's (not even the office)."""
    if actor.pk != account.pk:
        return False
    return can_hold_api_token(account)


def can_revoke_api_token(actor, token) -> bool:
    """Each account revokes its own tokens."""
    return actor.is_authenticated and token.user_id == actor.pk


def _holds(department: Department, task_id: int, role: str | None, period) -> bool:
    """Tell whether ``department`` held the task (as ``role``) in ``period``."""
    assignments = held_as_of(department=department, period=period).filter(task_id=task_id)
    if role is not None:
        assignments = assignments.filter(role=role)
    return assignments.exists()


# --- the admin site --------------------------------------------------------------------

# What office staff may do in Django's admin, by model: manage the plan, periods, return
# reasons, departments and contacts, distribution lists, schedules and reporter or member
# accounts; read the reporting records. Applied to the office group by
# ``departments.services.sync_office_group``. Accounts are limited further in
# ``departments.admin.PortalUserAdmin`` (no superusers, no staff flags, no groups).
ALL = ("view", "add", "change", "delete")
OFFICE_ADMIN_RIGHTS = {
    "auth.user": ("view", "add", "change"),
    "departments.department": ("view", "add", "change"),
    "departments.departmentalias": ALL,
    "departments.departmentcontact": ALL,
    "departments.profile": ("view", "add", "change"),
    "departments.accountevent": ("view",),
    # Deleting a failed-login record unlocks that username+address (django-axes).
    "axes.accessattempt": ("view", "delete"),
    "tasks.programme": ("view", "change"),
    "tasks.category": ("view", "change"),
    "tasks.task": ("view", "change"),
    "tasks.assignment": ALL,
    "tasks.reportingperiod": ("view", "change"),
    "tasks.returnreason": ALL,
    "tasks.progressupdate": ("view",),
    "tasks.evidence": ("view",),
    "tasks.review": ("view",),
    "tasks.updaterevision": ("view",),
    "tasks.auditevent": ("view",),
    "tasks.extension": ("view",),
    "tasks.extensionevidence": ("view",),
    "tasks.supervisionslip": ("view",),
    # The thresholds of the slip rules are the office's to edit.
    "tasks.sliprules": ("view", "add", "change"),
    "reports.distributionlist": ALL,
    "reports.distributionlistmember": ALL,
    "reports.reportrun": ("view",),
    "reports.reportfile": ("view",),
    "reports.emaildelivery": ("view",),
    "django_celery_beat.periodictask": ("view", "change"),
    "django_celery_beat.crontabschedule": ALL,
    "django_celery_beat.intervalschedule": ALL,
}
# Roles an office user may give in the admin (office and administrator accounts are made
# by an administrator).
OFFICE_ASSIGNABLE_ROLES = (Role.REPORTER, Role.MEMBER)


def can_use_admin_site(user) -> bool:
    """Django's admin lets in staff accounts (office staff get staff status and the group)."""
    return user.is_active and user.is_staff


def can_manage_all_accounts(user) -> bool:
    """Only superusers edit staff accounts, superusers and permission groups."""
    return user.is_active and user.is_superuser


def manageable_accounts(user, queryset: QuerySet) -> QuerySet:
    """The accounts ``user`` may see and edit in the admin: all for a superuser; for office
    staff, the reporter and member accounts (never staff, superusers or office accounts)."""
    if can_manage_all_accounts(user):
        return queryset
    return queryset.filter(is_superuser=False, is_staff=False).exclude(
        profile__role__in=(Role.OFFICE, Role.ADMIN)
    )


def manageable_profiles(user, queryset: QuerySet) -> QuerySet:
    """The profiles ``user`` may see and edit in the admin (see ``manageable_accounts``)."""
    if can_manage_all_accounts(user):
        return queryset
    return queryset.filter(role__in=OFFICE_ASSIGNABLE_ROLES)


def can_repair_in_admin(user) -> bool:
    """Workflow rows (updates) change through the portal's services; only a superuser may
    repair one in the admin."""
    return user.is_active and user.is_superuser


def admin_updates(user, queryset: QuerySet[ProgressUpdate]) -> QuerySet[ProgressUpdate]:
    """The updates the admin lists: every row for a superuser (who repairs), else the
    portal's rule (drafts stay private to their department)."""
    if can_repair_in_admin(user):
        return queryset
    return visible_updates(user, queryset)


def admin_audit_events(user, queryset: QuerySet) -> QuerySet:
    """The audit events the admin lists: every row for a superuser, else the task page's
    rule (a draft's history stays with its department)."""
    if can_repair_in_admin(user):
        return queryset
    return visible_audit_events(user, queryset)


# --- notifications -------------------------------------------------------------------


def can_use_notifications(user) -> bool:
    """Every signed-in user with a role has a notification list."""
    return role_of(user) is not None


def visible_notifications(user, queryset: QuerySet) -> QuerySet:
    """Each user sees only the notifications addressed to them."""
    if not can_use_notifications(user):
        return queryset.none()
    return queryset.filter(recipient=user)
