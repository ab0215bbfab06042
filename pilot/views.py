"""Pages of the portal as a whole: the user manual (用户手册) of each role."""

import sys
from pathlib import Path
from xml.etree import ElementTree

import markdown
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from markdown.treeprocessors import Treeprocessor

from departments.models import Role
from pilot import permissions
from pilot.middleware import query_timeout_response
from pilot.statement_timeout import is_query_timeout

# The manuals, in menu order: docs/help/<topic>.md.
MANUALS = {
    "reporter": _("部门填报人"),
    "office": _("联席会议办公室"),
    "member": _("联席会议成员"),
}
ROLE_MANUAL = {
    Role.REPORTER: "reporter",
    Role.OFFICE: "office",
    Role.ADMIN: "office",
    Role.MEMBER: "member",
}
SAFE_LINK_STARTS = ("/", "#", "https://", "http://", "mailto:")


@login_required
def help_page(request, topic: str | None = None):
    """Show the manual of the user's role, or another role's manual by its topic."""
    if not permissions.can_use_portal(request.user):
        raise PermissionDenied
    topic = topic or ROLE_MANUAL[permissions.role_of(request.user)]
    if topic not in MANUALS:
        raise Http404
    source = Path(settings.BASE_DIR, "docs", "help", f"{topic}.md").read_text(encoding="utf-8")
    context = {"topic": topic, "manuals": MANUALS.items(), "body": render_manual(source)}
    return render(request, "help/manual.html", context)


def render_manual(text: str) -> str:
    """Render Markdown to HTML with any raw HTML in it shown as text, links kept safe."""
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.treeprocessors.register(_SafeLinks(md), "safe_links", 0)
    return mark_safe(md.convert(text))


class _SafeLinks(Treeprocessor):
    """Drop link and image targets that are not plain web addresses (javascript: ...)."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None and not value.strip().lower().startswith(SAFE_LINK_STARTS):
                    del element.attrib[attribute]


def server_error(request):
    """The 500 page, or 503 when PostgreSQL cut a slow query outside a view (handler500)."""
    error = sys.exc_info()[1]
    if error is not None and is_query_timeout(error):
        return query_timeout_response(request)
    return defaults.server_error(request)
