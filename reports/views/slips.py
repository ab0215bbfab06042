"""The supervision slip's Word document, for those who may see the slip."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pilot import permissions
from reports.exports.slip import build_slip_document, slip_file_name
from tasks.exports import DOCX_CONTENT_TYPE
from tasks.models import SupervisionSlip


@require_GET
@login_required
def slip_document(request, slip_id: int):
    related = ("task__programme", "department")
    slip = SupervisionSlip.objects.select_related(*related).filter(pk=slip_id).first()
    if slip is None or not permissions.can_view_slip(request.user, slip):
        raise Http404(_("找不到该督办单。"))
    response = HttpResponse(build_slip_document(slip=slip), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(slip_file_name(slip))
    return response


def _attachment(name: str) -> str:
    from django.utils.encoding import escape_uri_path

    return f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
