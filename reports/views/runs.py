"""Pages of the periodic reports: the run list, requesting, cancelling and retrying a run,
its progress, sending and resending its e-mails, downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import permissions
from reports import selectors
from reports.forms.runs import REQUEST_BUTTONS, RunRequestForm, SendForm
from reports.models import (
    DistributionList,
    DistributionListKind,
    EmailDelivery,
    ReportFile,
    ReportKind,
)
from reports.services import mail as mail_services
from reports.services import runs as run_services
from tasks.programme_choice import chosen_programme
from tasks.selectors import current_period

PAGE_SIZE = 30


@require_GET
@login_required
def run_list(request):
    """List report runs newest first; office staff also get the request form."""
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    programme = chosen_programme(request)
    period = current_period(programme=programme)
    form = RunRequestForm(
        programme=programme, initial={"kind": ReportKind.MONTHLY, "period": period}
    )
    return _render_list(request, programme, form)


def _render_list(request, programme, form, *, interim_warning: str = ""):
    runs = selectors.visible_runs(user=request.user).filter(programme=programme)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    for run in page:
        run.can_cancel = permissions.can_cancel_run(request.user, run)
        run.can_retry = permissions.can_retry_run(request.user, run)
        run.common_files, run.unit_files = group_files(run.files.all())
    context = {
        "programme": programme,
        "page": page,
        "form": form,
        "buttons": REQUEST_BUTTONS,
        "can_request": _can_request(request),
        "interim_warning": interim_warning,
    }
    return render(request, "reports/runs/list.html", context)


def group_files(files) -> tuple[list[ReportFile], list[tuple[str, list[ReportFile]]]]:
    """Split a run's files into its common ones and those of each unit, named, in the
    units' usual order (a late list holds one 催报通知 per late unit)."""
    common, per_unit = [], {}
    for item in files:
        if item.department is None:
            common.append(item)
        else:
            per_unit.setdefault(item.department, []).append(item)
    order = sorted(per_unit, key=lambda unit: (unit.sort_order, unit.name))
    return common, [(unit.name, per_unit[unit]) for unit in order]


def _can_request(request) -> bool:
    return permissions.can_request_report(request.user)


@require_POST
@login_required
def request_run(request):
    """Ask for a run (生成月报); on a broker outage show why and keep the form's choice."""
    if not _can_request(request):
        raise PermissionDenied
    programme = chosen_programme(request)
    form = RunRequestForm(request.POST, programme=programme)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("report-runs")
    try:
        run = run_services.request_report(
            kind=form.cleaned_data["kind"],
            programme=programme,
            period=form.cleaned_data["period"],
            department=form.cleaned_data["department"],
            actor=request.user,
            confirm_interim=form.cleaned_data["confirm_interim"],
        )
    except run_services.InterimNotConfirmed as warning:
        # The confirmation step: the same choice again, with the office's consent.
        return _render_list(request, programme, form, interim_warning=warning.messages[0])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("report-runs")
    return redirect("report-run", run.pk)


@require_POST
@login_required
def cancel_run(request, run_id: int):
    """Stop a queued or running run (取消)."""
    run = _visible_run(request, run_id)
    try:
        run_services.cancel_run(run=run, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已取消该报告的生成。"))
    return redirect("report-run", run.pk)


@require_POST
@login_required
def retry_run(request, run_id: int):
    """Ask again for what a failed or cancelled run covered (重试); open the new run."""
    run = _visible_run(request, run_id)
    try:
        fresh = run_services.retry_run(run=run, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("report-run", run.pk)
    return redirect("report-run", fresh.pk)


def _visible_run(request, run_id):
    return get_object_or_404(selectors.visible_runs(user=request.user), pk=run_id)


@require_GET
@login_required
def run_detail(request, run_id: int):
    run = _visible_run(request, run_id)
    send_form = SendForm() if _can_request(request) and run.state == "done" else None
    deliveries = list(run.deliveries.order_by("to", "pk")[:200])
    for delivery in deliveries:
        delivery.can_resend = permissions.can_resend_delivery(request.user, delivery)
    common_files, unit_files = group_files(run.files.all())
    context = {
        "run": run,
        "common_files": common_files,
        "unit_files": unit_files,
        "send_form": send_form,
        "deliveries": deliveries,
        "can_cancel": permissions.can_cancel_run(request.user, run),
        "can_retry": permissions.can_retry_run(request.user, run),
        "show_actions": _can_request(request),
    }
    return render(request, "reports/runs/detail.html", context)


@require_GET
@login_required
def run_status(request, run_id: int):
    """Return the run's progress as JSON for the run page's polling script."""
    run = _visible_run(request, run_id)
    return JsonResponse(
        {
            "state": run.state,
            "state_label": run.get_state_display(),
            "progress_text": run.progress_text,
            "progress_percent": run.progress_percent,
            "error": run.error,
        }
    )


@require_POST
@login_required
def send_run(request, run_id: int):
    if not _can_request(request):
        raise PermissionDenied
    run = _visible_run(request, run_id)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择分发名单。"))
        return redirect("report-run", run.pk)
    distribution_list = form.cleaned_data["distribution_list"]
    if not selectors.recipients(distribution_list=distribution_list):
        messages.warning(request, _no_addresses_message(distribution_list))
        return redirect("report-run", run.pk)
    try:
        sent = mail_services.send_report(run=run, distribution_list=distribution_list)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("report-run", run.pk)
    if sent:
        _tell_queued(request, sent)
    else:
        messages.info(request, _("该分发名单的收件人都已收到这份报告，没有重复发送。"))
    return redirect("report-run", run.pk)


def _no_addresses_message(distribution_list: DistributionList):
    """Say the list has no address, linking to the admin page where addresses are added."""
    if (
        distribution_list.kind == DistributionListKind.DEPARTMENT
        and distribution_list.department_id
    ):
        # A unit's list sends to the unit's contacts, edited on the unit's admin page.
        url = reverse("admin:departments_department_change", args=[distribution_list.department_id])
    else:
        url = reverse("admin:reports_distributionlist_change", args=[distribution_list.pk])
    return format_html(
        '{} <a href="{}">{}</a>',
        _("该分发名单没有收件地址，请先在管理后台添加成员。"),
        url,
        _("前往添加收件地址"),
    )


def _tell_queued(request, deliveries) -> None:
    """Say how many e-mails were queued, and plainly when the task queue took none."""
    not_queued = mail_services.count_not_queued(deliveries=deliveries)
    if not_queued:
        messages.warning(
            request,
            _(
                "后台任务服务（Redis）暂时不可用，%(n)s 封邮件未能加入发送队列。"
                "发送记录已保存，不会丢失：服务恢复后将自动重新排队发送。"
            )
            % {"n": not_queued},
        )
    else:
        messages.success(request, _("已安排发送 %(n)s 封邮件。") % {"n": len(deliveries)})


@require_POST
@login_required
def resend_delivery(request, delivery_id: int):
    """Send a failed or unknown e-mail again (重新发送) as a new delivery."""
    if not _can_request(request):
        raise PermissionDenied
    delivery = get_object_or_404(EmailDelivery, pk=delivery_id)
    try:
        fresh = mail_services.resend_delivery(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        _tell_queued(request, [fresh])
    if delivery.run_id:
        return redirect("report-run", delivery.run_id)
    return redirect("report-runs")


@require_GET
@login_required
def download_file(request, file_id: int):
    """Stream a report file to someone allowed to read reports; 404 for everyone else."""
    if not permissions.can_view_reports(request.user):
        raise Http404
    item = get_object_or_404(ReportFile.objects.select_related("run"), pk=file_id)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("文件不存在。")) from missing
    return FileResponse(handle, as_attachment=True, filename=item.name)
