"""The office's review pages: the queue of lead units' updates, one update, bulk accept."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pilot import permissions
from tasks import selectors
from tasks.diff import revision_diff
from tasks.forms.review import AcceptForm, ReturnForm, ReviewFilterForm
from tasks.models import UpdateState
from tasks.programme_choice import chosen_programme
from tasks.services import review

PAGE_SIZE = 50


@require_GET
@login_required
def review_queue(request):
    """List lead units' updates by the chosen filters (default: this period, 已提交)."""
    programme = _office_programme(request)
    form = _filter_form(request.GET, programme)
    if not form.is_valid():
        context = {"form": form, "page": None, "programme": programme}
        return render(request, "tasks/office/review_queue.html", context, status=400)
    updates = permissions.visible_updates(
        request.user, selectors.review_queue(programme=programme, filters=form.cleaned_data)
    )
    page = Paginator(updates, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "programme": programme}
    return render(request, "tasks/office/review_queue.html", context)


@require_POST
@login_required
def bulk_accept(request):
    """Accept the checked (or all filtered) submitted updates, after a confirmation step."""
    filters = request.POST.get("filters", "")
    programme = _office_programme(request, QueryDict(filters))
    updates = list(_chosen_updates(request, programme, filters))
    if request.POST.get("confirm") != "yes":
        context = {"updates": updates, "filters": filters}
        return render(request, "tasks/office/bulk_accept_confirm.html", context)
    result = review.bulk_accept(updates=updates, actor=request.user)
    messages.success(request, _("已采纳 %(n)s 份报送。") % {"n": len(result.accepted)})
    if result.taken:
        messages.warning(
            request,
            _("另有 %(n)s 份报送已由他人审核，未重复处理：%(items)s")
            % {"n": len(result.taken), "items": "；".join(str(u) for u in result.taken)},
        )
    return redirect(f"{reverse('review-queue')}?{filters}")


@require_GET
@login_required
def review_update(request, update_id: int):
    update = _update_for_office(request, update_id)
    return _render_review(request, update, ReturnForm())


@require_POST
@login_required
def accept_update(request, update_id: int):
    update = _update_for_office(request, update_id)
    form = AcceptForm(request.POST)
    highlight = form.is_valid() and form.cleaned_data["highlight"]
    try:
        review.accept_update(update=update, actor=request.user, highlight=highlight)
    except (PermissionDenied, ValidationError) as error:
        # The gate above let an office user in: the update changed state meanwhile.
        messages.error(request, " ".join(_messages_of(error)))
        return redirect("review-update", update_id=update.pk)
    messages.success(request, _("已采纳：%(update)s") % {"update": update})
    return redirect("review-queue")


@require_POST
@login_required
def return_update(request, update_id: int):
    update = _update_for_office(request, update_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            review.return_update(
                update=update,
                actor=request.user,
                reasons=list(form.cleaned_data["reasons"]),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("已退回：%(update)s") % {"update": update})
            return redirect("review-queue")
    return _render_review(request, update, form, status=400)


# --- helpers -----------------------------------------------------------------------------


def _office_programme(request, query=None):
    if not permissions.can_use_review_queue(request.user):
        raise PermissionDenied
    return chosen_programme(request, query=query)


def _filter_form(data, programme) -> ReviewFilterForm:
    period = selectors.current_period(programme=programme)
    return ReviewFilterForm(data, programme=programme, default_period=period)


def _chosen_updates(request, programme, filters: str):
    """Return the submitted updates chosen: the checked ones, or all that match the filters."""
    form = _filter_form(QueryDict(filters), programme)
    chosen = dict(form.cleaned_data) if form.is_valid() else {}
    chosen["state"] = UpdateState.SUBMITTED
    updates = selectors.review_queue(programme=programme, filters=chosen)
    if request.POST.get("scope") == "filtered":
        return updates
    ids = [value for value in request.POST.getlist("ids") if value.isdigit()]
    return updates.filter(pk__in=ids)


def _update_for_office(request, update_id: int):
    # Non-office users are refused before anything is looked up, so a typed-in id tells
    # them nothing; office staff get 404 for updates they may not see (supporting drafts).
    if not permissions.can_use_review_queue(request.user):
        raise PermissionDenied
    update = get_object_or_404(selectors.updates_for_review(), pk=update_id)
    if not permissions.can_open_review(request.user, update):
        raise Http404
    return update


def _render_review(request, update, form, status: int = 200):
    context = {
        "update": update,
        "form": form,
        "accept_form": AcceptForm(),
        "reviews": update.reviews.all(),
        "diff": revision_diff(update),
        "can_review": permissions.can_review_update(request.user, update),
        "can_confirm": permissions.can_confirm_completion(request.user, update.task),
    }
    return render(request, "tasks/office/review_update.html", context, status=status)


def _messages_of(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error) or _("该报送当前不能审核。")]
