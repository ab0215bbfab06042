"""Unit scores (考核): the ranked table with last month and the breakdown, the formula the
office edits, publishing a month, and the workbook for the 考核 office."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import permissions
from reports.exports import bulletin
from reports.exports.scores import build_scores_workbook, formula_lines
from reports.figures import score_table
from reports.forms.scores import BulletinForm, FormulaForm
from reports.models import ReportKind
from reports.models_scores import WEIGHT_FIELDS, BulletinDraft
from reports.services import runs as run_services
from reports.services import scores as score_services
from reports.views.dashboard import _picker_context, _programme_and_period
from tasks.models import Programme, ReportingPeriod


@require_GET
@login_required
def score_page(request):
    """Show the month's scores (published or trial), the formula and, for the office, its form."""
    if not permissions.can_view_scores(request.user):
        raise PermissionDenied
    programme, period, periods = _programme_and_period(request)
    return _render(request, programme, period, periods, form=None)


def _render(request, programme, period, periods, *, form, status=200):
    own = None if permissions.can_view_all_scores(request.user) else request.user.profile.department
    month, last, lines = score_table.score_table(programme=programme, period=period, department=own)
    formula = score_table.current_formula(programme=programme)
    if form is None and permissions.can_edit_score_formula(request.user):
        form = FormulaForm(initial=formula.weights())
    context = {
        **_picker_context(programme, period, periods),
        "month": month,
        "last": last,
        "lines": [(line, breakdown_parts(line.item)) for line in lines],
        "formula": formula,
        "used": month.formula,
        "formula_lines": formula_lines(month.formula.weights()),
        "formula_changed": month.formula.version != formula.version,
        "form": form,
        "own": own,
        "can_publish": permissions.can_publish_scores(request.user)
        and not month.published
        and not score_services.is_interim(period),
        "can_export": permissions.can_export_scores(request.user),
        "can_bulletin": permissions.can_request_report(request.user) and month.published,
        "query": urlencode({"programme": programme.code, "period": period.pk}),
    }
    return render(request, "reports/scores.html", context, status=status)


@require_POST
@login_required
def save_formula(request):
    """Save the weights as a new formula version (past published months keep theirs)."""
    if not permissions.can_edit_score_formula(request.user):
        raise PermissionDenied
    programme, period, periods = _programme_and_period(request)
    form = FormulaForm(request.POST)
    if form.is_valid():
        try:
            weights = {name: form.cleaned_data[name] for name in WEIGHT_FIELDS}
            formula = score_services.save_formula(
                programme=programme, weights=weights, actor=request.user
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("计分公式已保存为第 %(version)d 版。") % {"version": formula.version}
            )
            return redirect(_page_url(programme, period))
    return _render(request, programme, period, periods, form=form, status=400)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@require_POST
@login_required
def publish(request, period_id: int):
    """Publish a month's scores with the current formula."""
    if not permissions.can_publish_scores(request.user):
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=period_id)
    try:
        score_services.publish_scores(programme=period.programme, period=period, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(period)s考核结果已发布。") % {"period": period})
    return redirect(_page_url(period.programme, period))


@require_GET
@login_required
def export(request):
    """The month's scores as a workbook for the 考核 office."""
    if not permissions.can_export_scores(request.user):
        raise PermissionDenied
    programme, period, _periods = _programme_and_period(request)
    content = build_scores_workbook(programme=programme, period=period)
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"scores-{programme.code}-{period.year}-{period.month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _page_url(programme: Programme, period: ReportingPeriod) -> str:
    query = urlencode({"programme": programme.code, "period": period.pk})
    return f"{reverse('scores')}?{query}"


def breakdown_parts(item) -> list[tuple[str, object]]:
    """Return the lines of a unit's breakdown: (what was counted, points it gives or None)."""
    points = item.points
    return [
        (
            _("按时报送 %(n)d/%(total)d") % {"n": item.on_time, "total": item.expected},
            points.get("on_time"),
        ),
        (
            _("按期推进 %(n)d/%(total)d") % {"n": item.on_schedule, "total": item.led_open},
            points.get("on_schedule"),
        ),
        (
            _("按期办结 %(n)d/%(total)d") % {"n": item.completed_on_time, "total": item.due},
            points.get("completion"),
        ),
        (_("退回 %(n)d 次") % {"n": item.returns}, points.get("returns")),
        (_("未办结督办单 %(n)d 件") % {"n": item.slips}, points.get("slips")),
        (_("亮点 %(n)d 条") % {"n": item.highlights}, points.get("highlights")),
    ]


@require_GET
@login_required
def bulletin_page(request, period_id: int):
    """The 通报 draft: suggested units by rule, the text, and a button to generate it."""
    if not permissions.can_request_report(request.user):
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=period_id)
    lists = _lists_or_404(period)
    draft = BulletinDraft.objects.filter(period=period).first()
    praised, criticised = bulletin.chosen(lists, draft)
    initial = {
        "opening": draft.opening if draft else bulletin.default_opening(period.programme, period),
        "closing": draft.closing if draft else bulletin.default_closing(),
        "praised": [u.department.pk for u in praised],
        "criticised": [u.department.pk for u in criticised],
    }
    form = BulletinForm(initial=initial, lists=lists)
    return _render_bulletin(request, period, form, draft)


def _lists_or_404(period):
    try:
        return bulletin.bulletin_lists(period=period)
    except ValueError as error:
        raise Http404(str(error)) from error


def _render_bulletin(request, period, form, draft, status=200):
    context = {
        "period": period,
        "programme": period.programme,
        "form": form,
        "draft": draft,
        "title": bulletin.bulletin_title(period),
        "scores_url": _page_url(period.programme, period),
    }
    return render(request, "reports/scores_bulletin.html", context, status=status)


@require_POST
@login_required
def bulletin_save(request, period_id: int):
    """Save the draft; with action=generate also ask for the 通报 run (then sent as any run)."""
    if not permissions.can_request_report(request.user):
        raise PermissionDenied
    period = get_object_or_404(ReportingPeriod.objects.select_related("programme"), pk=period_id)
    lists = _lists_or_404(period)
    form = BulletinForm(request.POST, lists=lists)
    if not form.is_valid():
        draft = BulletinDraft.objects.filter(period=period).first()
        return _render_bulletin(request, period, form, draft, status=400)
    score_services.save_bulletin_draft(period=period, actor=request.user, **form.cleaned_data)
    if request.POST.get("action") != "generate":
        messages.success(request, _("通报草稿已保存。"))
        return redirect("scores-bulletin", period_id=period.pk)
    try:
        run = run_services.request_report(
            kind=ReportKind.BULLETIN, programme=period.programme, period=period, actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("scores-bulletin", period_id=period.pk)
    messages.success(request, _("通报已开始生成，完成后可在本页下载并发送。"))
    return redirect("report-run", run_id=run.pk)
