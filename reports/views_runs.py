"""Pages of the periodic reports: the run list, requesting a run, its progress, downloads."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from pilot import permissions
from reports import selectors, services
from reports.models import DistributionList, ReportFile, ReportKind
from tasks.models import ReportingPeriod
from tasks.selectors import current_period, default_programme

REQUESTABLE_KINDS = [
    (ReportKind.MONTHLY, gettext_lazy("月报")),
    (ReportKind.SUMMARY, gettext_lazy("试点总结")),
    (ReportKind.LATE_LIST, gettext_lazy("未按期报送名单及催报通知")),
]
PAGE_SIZE = 30


class RunRequestForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("报告类型"), choices=REQUESTABLE_KINDS)
    period = forms.ModelChoiceField(
        label=gettext_lazy("报送期次"), queryset=ReportingPeriod.objects.none(), required=False
    )

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["period"].queryset = ReportingPeriod.objects.filter(programme=programme)
        self.fields["period"].empty_label = gettext_lazy("（试点总结不需要选择）")

    def clean(self):
        data = super().clean()
        if data.get("kind") != ReportKind.SUMMARY and not data.get("period"):
            self.add_error("period", _("请选择报送期次。"))
        return data


class SendForm(forms.Form):
    distribution_list = forms.ModelChoiceField(
        label=gettext_lazy("分发名单"), queryset=DistributionList.objects.filter(is_active=True)
    )


def _programme_or_404():
    programme = default_programme()
    if programme is None:
        raise Http404(_("找不到试点方案。"))
    return programme


@require_GET
@login_required
def run_list(request):
    """List report runs newest first; office staff also get the request form."""
    if not permissions.can_view_reports(request.user):
        raise PermissionDenied
    programme = _programme_or_404()
    runs = selectors.visible_runs(user=request.user).filter(programme=programme)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    period = current_period(programme=programme)
    form = RunRequestForm(
        programme=programme, initial={"kind": ReportKind.MONTHLY, "period": period}
    )
    return render(
        request,
        "reports/runs/list.html",
        {"programme": programme, "page": page, "form": form, "can_request": _can_request(request)},
    )


def _can_request(request) -> bool:
    return permissions.can_request_report(request.user)


@require_POST
@login_required
def request_run(request):
    """Ask for a run (生成月报); on a broker outage show why and keep the form's choice."""
    if not _can_request(request):
        raise PermissionDenied
    programme = _programme_or_404()
    form = RunRequestForm(request.POST, programme=programme)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("report-runs")
    try:
        run = services.request_report(
            kind=form.cleaned_data["kind"],
            programme=programme,
            period=form.cleaned_data["period"],
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("report-runs")
    return redirect("report-run", run.pk)


def _visible_run(request, run_id):
    return get_object_or_404(selectors.visible_runs(user=request.user), pk=run_id)


@require_GET
@login_required
def run_detail(request, run_id: int):
    run = _visible_run(request, run_id)
    send_form = SendForm() if _can_request(request) and run.state == "done" else None
    deliveries = run.deliveries.order_by("to")[:200]
    return render(
        request,
        "reports/runs/detail.html",
        {"run": run, "send_form": send_form, "deliveries": deliveries},
    )


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
    try:
        sent = services.send_report(
            run=run, distribution_list=form.cleaned_data["distribution_list"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("report-run", run.pk)
    messages.success(request, _("已安排发送 %(n)s 封邮件。") % {"n": len(sent)})
    return redirect("report-run", run.pk)


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
