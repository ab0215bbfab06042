"""The office's Word template page: what is in use, download it, upload a new one."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pilot import permissions
from reports.exports import templating
from reports.forms.templates import TemplateUploadForm
from reports.services import templates

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _require_office(request) -> None:
    if not permissions.can_manage_report_template(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def template_page(request):
    """Show the template in use; on POST try the uploaded one and keep it only if it works."""
    _require_office(request)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            templates.upload_report_template(
                actor=request.user, name=upload.name, content=upload.read()
            )
        except ValidationError as error:
            form.add_error("file", " ".join(error.messages))
        else:
            messages.success(request, _("模板已启用，之后生成的 Word 文档将使用该模板。"))
            return redirect("report-template")
    _content, record = templating.current_template()
    return render(
        request,
        "reports/runs/template.html",
        {"form": form, "record": record, "variables": templating.VARIABLES},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def download_template(request):
    """Download the template in use (the portal's default until the office uploads one)."""
    _require_office(request)
    content, record = templating.current_template()
    name = record.name if record else "report-template.docx"
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    return quote(name, safe="")
