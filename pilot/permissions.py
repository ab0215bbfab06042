"""Who may see and do what: every access rule of the portal, in one place.

Views, the API, exports and templates ask these functions; none of them re-states a rule.
Each rule is one condition per line so that a reviewer can audit it (Zulip's ``access_*``
helpers are the model) and ``pilot/tests/test_permissions.py`` checks them as a matrix of
personas: office staff, a lead unit's reporter, a supporting unit's reporter, an outsider
department's reporter, a read-only member and an anonymous visitor.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from departments.models import Department, Role
from pilot import clock
from tasks.models import AssignmentRole, ProgressUpdate, ReportingPeriod, Task, UpdateState
from tasks.services import periods

EDITABLE_STATES = (UpdateState.DRAFT, UpdateState.RETURNED)


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
        "plan_import": can_import_plan(user),
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
    # A lead unit sees the supporting units' submitted input on its task, never their drafts.
    return (
        update.role == AssignmentRole.SUPPORT
        and update.state != UpdateState.DRAFT
        and _holds(department, update.task_id, AssignmentRole.LEAD)
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
    led_tasks = department.assignments.filter(role=AssignmentRole.LEAD).values("task_id")
    return queryset.filter(
        Q(state=UpdateState.ACCEPTED)
        | Q(department=department)
        | (Q(role=AssignmentRole.SUPPORT, task_id__in=led_tasks) & ~Q(state=UpdateState.DRAFT))
    )


def visible_audit_events(user, queryset: QuerySet) -> QuerySet:
    """Filter audit events in SQL: events about a task for all, about an update as it.

    A draft's history (its edits, its file names) stays with its department.
    """
    updates = visible_updates(user, ProgressUpdate.objects.all())
    return queryset.filter(Q(update__isnull=True) | Q(update__in=updates.values("pk")))


def can_download_evidence(user, evidence) -> bool:
    return can_view_update(user, evidence.update)


# --- writing -------------------------------------------------------------------------


def can_file_update(user, task: Task, period: ReportingPeriod) -> bool:
    """A reporter files for a task their department holds, in an open period of its plan."""
    department = reporter_department(user)
    if department is None:
        return False
    if not period_accepts_filing(period):
        return False
    if period.programme_id != task.programme_id:
        return False
    if task.completion_confirmed_at is not None:
        return False
    return _holds(department, task.pk, None)


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
    period_refusal = periods.filing_refusal(period, clock.today())
    if period_refusal and reporter_department(user) is not None:
        return period_refusal
    if task.completion_confirmed_at is not None:
        return _("该任务已办结确认，不能再填报。")
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
    return _holds(department, update.task_id, AssignmentRole.LEAD)


def returnable_inputs(user, updates: list[ProgressUpdate]) -> set[int]:
    """Return the pks of ``updates`` that ``can_return_input`` allows, in one query.

    The same conditions as ``can_return_input``; the lead-unit check is asked once for all
    the tasks instead of once per input (a lead's panel lists every supporting unit).
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
    led = set(
        department.assignments.filter(
            role=AssignmentRole.LEAD, task_id__in={update.task_id for update in candidates}
        ).values_list("task_id", flat=True)
    )
    return {update.pk for update in candidates if update.task_id in led}


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
    if task.completion_confirmed_at is not None:
        return False
    return task.status == "completed"


def can_manage_plan(user) -> bool:
    """Plan, departments, accounts, periods and return reasons are the office's."""
    return is_office(user)


def can_import_plan(user) -> bool:
    """Importing a new programme's plan (upload, preview, confirm) is the office's."""
    return is_office(user)


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


def _holds(department: Department, task_id: int, role: str | None) -> bool:
    assignments = department.assignments.filter(task_id=task_id)
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


# --- notifications -------------------------------------------------------------------


def can_use_notifications(user) -> bool:
    """Every signed-in user with a role has a notification list."""
    return role_of(user) is not None


def visible_notifications(user, queryset: QuerySet) -> QuerySet:
    """Each user sees only the notifications addressed to them."""
    if not can_use_notifications(user):
        return queryset.none()
    return queryset.filter(recipient=user)
