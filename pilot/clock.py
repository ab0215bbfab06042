"""The portal's one notion of "now".

Every business rule that depends on the date (current period, lateness, overdue tasks,
reminders) asks this module, never ``datetime.now`` or ``date.today``. Setting
``PILOT_AS_OF_DATE`` pins the calendar date (the time of day stays real), so a demo can
show the 2020-2023 programme in flight; tests pin the clock with ``time_machine``.
"""

import datetime

from django.conf import settings
from django.utils import timezone


def now() -> datetime.datetime:
    """Return the current aware datetime, on the pinned date when one is set."""
    real = timezone.now()
    as_of = settings.PILOT_AS_OF_DATE
    if as_of is None:
        return real
    local = timezone.localtime(real)
    return local.replace(year=as_of.year, month=as_of.month, day=as_of.day)


def today() -> datetime.date:
    """Return the current local date, the pinned one when set."""
    return timezone.localdate(now())
