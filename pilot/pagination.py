"""A paginator that never counts a big table to the end (the admin's changelists)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Count at most ``COUNT_CAP`` rows (plus one, to know there are more).

    ``COUNT(*)`` over 1.5 million updates reads them all on every changelist page; past
    the cap the page links stop at page ``COUNT_CAP / per_page`` and ``capped`` says so
    (the template shows "超过 10000 条"). Narrow the list with the filters or the search
    to reach older rows; every reachable page is an OFFSET of at most ``COUNT_CAP`` rows.
    """

    @cached_property
    def count(self):
        # Unordered: an ORDER BY inside the capped count makes PostgreSQL walk the ordering's
        # index and filter, instead of collecting the matching rows from their own indexes.
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @cached_property
    def capped(self) -> bool:
        return self.count > COUNT_CAP

    def page(self, number):
        """Return the page, its rows fetched by primary key (a "deferred join").

        The OFFSET walks only the ordering's index for the ids; the joins the changelist
        selects (``list_select_related``) are then made for this page's rows alone, not for
        every row skipped on the way to the last page.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        return self._get_page(list(self.object_list.filter(pk__in=ids)), number, self)
