"""The order in which units are listed: by kind, then by the pinyin of the name.

Code-point order puts 三亚 and “双随机…” first and every 省… unit last, which nobody looking
for a unit expects. People look for a unit among its kind (the provincial departments, the
central units in Hainan, the party bodies, the cities and counties, the parks) and then by
its name as they would say it. Collectives (各市县, 有关部门) hold no accounts and report
nothing: they come last.
"""

import functools
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from pypinyin import lazy_pinyin

from departments.models import Department, DepartmentKind

KIND_ORDER = (
    DepartmentKind.PROVINCIAL,
    DepartmentKind.CENTRAL,
    DepartmentKind.PARTY,
    DepartmentKind.CITY,
    DepartmentKind.PARK,
    DepartmentKind.OTHER,
    DepartmentKind.COLLECTIVE,
)
_KIND_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}

T = TypeVar("T")
# Opening quotes and brackets (“双随机、一公开”…) are not part of the name as it is said.
_LEADING_PUNCTUATION = re.compile(r"^[\W_]+")


def unit_sort_key(department: Department) -> tuple:
    """Return the key that lists ``department`` by kind, then pinyin of its name."""
    rank = _KIND_RANK.get(department.kind, _KIND_RANK[DepartmentKind.OTHER])
    # The name itself breaks ties between homophones, so the order is total.
    return rank, _spoken(department.name), department.name


@functools.lru_cache(maxsize=4096)
def _spoken(name: str) -> tuple[str, ...]:
    # Cached: a dashboard sorts ~150 names a page, and pypinyin takes ~0.1 ms a name.
    return tuple(lazy_pinyin(_LEADING_PUNCTUATION.sub("", name)))


def order_units(items: Iterable[T], *, unit: Callable[[T], Department] | None = None) -> list[T]:
    """Return ``items`` listed by kind, then pinyin, collectives last.

    ``unit`` picks the department out of an item (a figures row, say).
    """
    pick = unit or (lambda item: item)
    return sorted(items, key=lambda item: unit_sort_key(pick(item)))
