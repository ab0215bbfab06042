"""The one helper that reads the programme a page shows: ``?programme=CODE``.

Every page that shows one programme (task list, review queue, dashboards, report runs,
plan export, the start page) asks ``chosen_programme``, so a link carrying
``?programme=CODE`` means the same on every page and no page falls back differently.
"""

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from pilot.text_input import query_value
from tasks.models import Programme
from tasks.selectors import default_programme


def chosen_programme(request, *, query: QueryDict | None = None) -> Programme:
    """Return the programme ``?programme=CODE`` names, or the default one (the most recent)
    when none is named; 404 when the code names none or no programme is loaded.

    ``query`` reads the choice from another query string (a form that carries the page's
    filters), else the request's own.
    """
    code = query_value(request, "programme") if query is None else query.get("programme")
    programme = Programme.objects.filter(code=code).first() if code else default_programme()
    if programme is None:
        raise Http404(_("找不到试点方案。"))
    return programme
