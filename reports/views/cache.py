"""The dashboards' page cache: rendered content kept under a key that names its data.

A dashboard's main content (everything inside ``<main>`` except the messages) is rendered
once per key and kept in Django's cache; the page around it (menu, user box, language form
with its CSRF token, unread notifications) is rendered for each request, so nothing of one
user reaches another. The key holds everything the content depends on:

- the page and its parameters (programme, period, sort order, department);
- the data version (``tasks.data_version``): every write that changes a figure gives it a
  new token, so an entry is never stale and never recomputed while nothing changed;
- the date (``clock.today()``: overdue tasks, warning colours, the current period and an
  open period's cut-off move with it);
- the language (the pages are translated);
- the viewer's role (office, member, reporter): the figures are the same for all (they
  count submitted and accepted updates only, never a draft), but the links differ, and a
  role in the key keeps that true if a role-specific figure is ever added. The content is
  rendered without the request (no context processors, no user, no CSRF token), so it
  cannot hold anything of the user who happened to render it.

Entries are stored compressed (zlib): a rendered overview is ~10 times smaller so, which
is what a shared Redis holds and sends for each hit.
"""

import hashlib
import zlib
from collections.abc import Callable

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import mark_safe

from pilot import clock, permissions


def page_key(page: str, *, user, version: str, **params) -> str:
    """Return the cache key of ``page``'s content for these parameters and data version."""
    parts = [
        page,
        *(f"{name}={value}" for name, value in sorted(params.items())),
        f"version={version}",
        f"today={clock.today().isoformat()}",
        f"language={translation.get_language()}",
        f"role={permissions.role_of(user)}",
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return f"dashboard:{page}:{digest}"


def cached_content(key: str, build: Callable[[], str]) -> tuple[str, bool]:
    """Return (the content under ``key``, whether it came from the cache); build and keep it
    on a miss."""
    stored = cache.get(key)
    if stored is not None:
        # Safe: what was stored is a template's output, escaped when it was rendered.
        return mark_safe(zlib.decompress(stored).decode()), True
    content = build()
    cache.set(key, zlib.compress(content.encode(), 1))
    return mark_safe(content), False
