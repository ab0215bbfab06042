from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pilot.permissions import can_manage_plan
from tasks.exports import XLSX_CONTENT_TYPE
from tasks.exports.plan import build_plan_workbook
from tasks.models import Programme
from tasks.programme_choice import chosen_programme


@require_GET
@login_required
def export_plan_xlsx(request):
    """Download the 责任分工表 of ?programme=CODE (default: the most recent programme)."""
    if not can_manage_plan(request.user):
        raise PermissionDenied
    return plan_workbook_response(programme=chosen_programme(request))


def plan_workbook_response(*, programme: Programme) -> FileResponse:
    """Return the workbook as an attachment; FileResponse encodes the name per RFC 5987."""
    buffer = BytesIO()
    build_plan_workbook(programme=programme).save(buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=_("试点任务责任分工表.xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )
