"""Pages of the API lists: numbered pages for the small lists, cursors for the big one.

A numbered page costs a ``COUNT(*)`` and an ``OFFSET``, both proportional to the rows
before it; fine for the plan's lists (a few thousand tasks or periods), not for the
progress updates (1.5 million after a few programmes). Those page by cursor (keyset):
each page starts where the last one ended, on the primary key's index, so the last page
costs what the first does, and no answer counts the table.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PortalPagination(PageNumberPagination):
    """50 rows a page; clients may ask for up to 200 with ``page_size``."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class KeysetPagination(CursorPagination):
    """Newest first (``-id``) or oldest first (``?ordering=id``), 50 rows a page (at most
    200 with ``page_size``); follow ``next`` and ``previous``, which carry the cursor."""

    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "-id"
    invalid_cursor_message = gettext_lazy("游标无效：请使用上一页答复中的 next 或 previous 链接。")

    def paginate_queryset(self, queryset, request, view=None):
        # A client still counting pages would get the first page again and again: say so.
        if "page" in request.query_params:
            message = _("此列表按游标分页：请沿用上一页答复中的 next 链接，不要使用 page 参数。")
            raise ValidationError({"page": [message]})
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        # The position is compared with the primary key: anything but a number is a cursor
        # this API never handed out (and would fail in the database).
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and not (position.isdigit() and len(position) <= 18):
            raise NotFound(self.invalid_cursor_message)
        return cursor
