"""The joint meeting's pages: the meetings and a new agenda, one meeting with its items and
decisions (and what became of the last meeting's), recording a decision, the meeting pack."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import clock, permissions
from pilot.text_input import query_value
from reports.exports.meeting_pack import build_meeting_pack
from tasks import selectors
from tasks.forms.meetings import DecisionForm, MeetingForm
from tasks.models import AgendaItem, Meeting, Programme
from tasks.services import meetings as meeting_services


def _programme(request) -> Programme:
    code = query_value(request, "programme")
    programme = (
        Programme.objects.filter(code=code).first() if code else selectors.default_programme()
    )
    if programme is None:
        raise Http404(_("找不到试点方案。"))
    return programme


@require_GET
@login_required
def meeting_list(request):
    if not permissions.can_view_meetings(request.user):
        raise PermissionDenied
    return _render_list(request, _programme(request), form=None)


def _render_list(request, programme, *, form, status=200):
    candidates = meeting_services.agenda_candidates(programme=programme)
    if form is None and permissions.can_manage_meetings(request.user):
        form = MeetingForm(
            programme=programme,
            candidates=candidates,
            initial={"held_on": clock.today(), "tasks": [c.task.pk for c in candidates]},
        )
    chosen = _chosen(form)
    context = {
        "programme": programme,
        "meetings": Meeting.objects.filter(programme=programme).order_by("-number"),
        "candidates": [(c, c.task.pk in chosen) for c in candidates],
        "form": form,
    }
    return render(request, "reports/meetings/list.html", context, status=status)


def _chosen(form) -> set[int]:
    if form is None:
        return set()
    if form.is_bound:
        return {int(v) for v in form.data.getlist("tasks") if v.isdigit()}
    return set(form.initial.get("tasks", []))


@require_POST
@login_required
def meeting_create(request):
    if not permissions.can_manage_meetings(request.user):
        raise PermissionDenied
    programme = _programme(request)
    candidates = meeting_services.agenda_candidates(programme=programme)
    form = MeetingForm(request.POST, programme=programme, candidates=candidates)
    if form.is_valid():
        try:
            meeting = meeting_services.create_meeting(
                programme=programme,
                held_on=form.cleaned_data["held_on"],
                tasks=list(form.cleaned_data["tasks"]),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("已建立%(meeting)s的议程。") % {"meeting": meeting})
            return redirect("meeting-detail", meeting_id=meeting.pk)
    return _render_list(request, programme, form=form, status=400)


@require_GET
@login_required
def meeting_detail(request, meeting_id: int):
    if not permissions.can_view_meetings(request.user):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting.objects.select_related("programme"), pk=meeting_id)
    return _render_detail(request, meeting, forms={})


def _render_detail(request, meeting, *, forms, status=200):
    items = meeting_services.meeting_items(meeting=meeting)
    manage = permissions.can_manage_meetings(request.user)
    problems = meeting_services.latest_problems(tasks=[item.task for item in items])
    rows = [
        (
            item,
            problems.get(item.task_id, []),
            forms.get(item.pk) or (DecisionForm(prefix=_prefix(item)) if manage else None),
        )
        for item in items
    ]
    previous = meeting_services.previous_meeting(meeting=meeting)
    context = {
        "meeting": meeting,
        "rows": rows,
        "previous": previous,
        "follow_ups": meeting_services.follow_ups(meeting=previous),
        "manage": manage,
    }
    return render(request, "reports/meetings/detail.html", context, status=status)


@require_POST
@login_required
def decision_create(request, meeting_id: int, item_id: int):
    if not permissions.can_manage_meetings(request.user):
        raise PermissionDenied
    item = get_object_or_404(
        AgendaItem.objects.select_related("meeting__programme", "task"),
        pk=item_id,
        meeting_id=meeting_id,
    )
    form = DecisionForm(request.POST, prefix=_prefix(item))
    if form.is_valid():
        try:
            decision = meeting_services.record_decision(
                item=item, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("已记录议定事项，跟踪任务为第%(number)d项。")
                % {"number": decision.tracking_task.number},
            )
            url = reverse("meeting-detail", kwargs={"meeting_id": item.meeting_id})
            return redirect(f"{url}#item-{item.pk}")
    return _render_detail(request, item.meeting, forms={item.pk: form}, status=400)


@require_GET
@login_required
def meeting_pack(request, meeting_id: int):
    """The meeting pack (agenda, item briefs, last meeting's decisions) as a Word document."""
    if not permissions.can_view_meetings(request.user):
        raise PermissionDenied
    meeting = get_object_or_404(Meeting.objects.select_related("programme"), pk=meeting_id)
    response = HttpResponse(
        build_meeting_pack(meeting=meeting),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"meeting-{meeting.programme.code}-{meeting.number}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _prefix(item) -> str:
    # Several decision forms on one page: each field id is unique.
    return f"item{item.pk}"
