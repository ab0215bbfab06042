"""The portal's start page: a reporter's department worklist and 待办, the office's 待办,
a member's latest report and figures."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pilot import clock, permissions
from reports import todo
from tasks import selectors
from tasks.models import ReportingPeriod
from tasks.periods import filing_refusal
from tasks.programme_choice import chosen_programme


@require_GET
@login_required
def home(request):
    """Reporters land on their department's worklist; everyone else on the portal's start."""
    department = permissions.reporter_department(request.user)
    # ?programme=CODE chooses like on every page; without it the home needs no programme.
    if "programme" in request.GET:
        programme = chosen_programme(request)
    else:
        programme = selectors.default_programme()
    if department is None or programme is None:
        return render(request, "home.html", _landing_context(request.user, programme))
    periods = selectors.programme_periods(programme=programme)
    current = selectors.current_period(programme=programme)
    period = _chosen_period(request, periods) or current
    items = selectors.department_worklist(department=department, period=period) if period else []
    context = {
        "department": department,
        "programme": programme,
        "periods": periods,
        "period": period,
        "period_days_left": (period.due_on - clock.today()).days if period else None,
        "filing_refusal": filing_refusal(period, clock.today()) if period else None,
        "items": items,
        "counts": selectors.worklist_counts(items),
        # The 待办 is about the current period whichever one the worklist shows.
        "todo": todo.reporter_todo(
            department=department, period=current, items=items if period == current else None
        ),
    }
    return render(request, "tasks/reporter/home.html", context)


def _landing_context(user, programme) -> dict:
    """The office's and the members' home: their 待办 (reports.todo) for the programme."""
    context = {"programme": programme}
    if programme is None:
        return context
    if permissions.is_office(user):
        context["todo"] = todo.office_todo(programme=programme)
    elif permissions.can_view_reports(user):
        context["member"] = todo.member_home(programme=programme)
    return context


def _chosen_period(request, periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    chosen = request.GET.get("period", "")
    return next((period for period in periods if str(period.pk) == chosen), None)
