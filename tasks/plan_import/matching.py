"""Match the units a plan names to the portal's departments.

A name the parser read through a known spelling is the department's own name (exact) or
came through one of its aliases (alias). A name the portal does not know may be a body
the committed directory knows (its kind and short name are offered), close to a known
spelling (a near match, found with the standard library's ``difflib``, with the reason),
or new. The office's decisions (``PlanImport.units``) settle the rest.
"""

import difflib
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from departments.directory import DIRECTORY, resolve
from departments.models import Department, DepartmentAlias
from tasks.plan_parser import DIRECTORY_LEXICON, Lexicon

EXACT, ALIAS, DIRECTORY_KNOWN, NEAR, NEW = "exact", "alias", "directory", "near", "new"
NEAR_CUTOFF = 0.6


@dataclass
class Known:
    """The portal's departments by id, and every spelling with the department it names."""

    departments: dict[int, Department]
    by_spelling: dict[str, int]

    def lexicon(self) -> Lexicon:
        """The portal's spellings first; the directory's for bodies the portal lacks."""
        canonical = dict(DIRECTORY_LEXICON.canonical)
        for entry in DIRECTORY:
            if entry.name not in self.by_spelling:
                continue
            for alias in entry.aliases:
                canonical[alias] = self.departments[self.by_spelling[entry.name]].name
        canonical.update(
            (spelling, self.departments[pk].name) for spelling, pk in self.by_spelling.items()
        )
        return Lexicon.of(canonical)


def load_known() -> Known:
    """Two queries: every department and every alias."""
    departments = {department.pk: department for department in Department.objects.all()}
    by_spelling = {department.name: pk for pk, department in departments.items()}
    for name, pk in DepartmentAlias.objects.values_list("name", "department_id"):
        by_spelling.setdefault(name, pk)
    return Known(departments, by_spelling)


@dataclass
class UnitMatch:
    name: str
    status: str
    department: Department | None = None
    candidate: Department | None = None
    reason: str = ""
    spellings: list[str] = field(default_factory=list)
    kind: str = ""
    short_name: str = ""
    decision: dict = field(default_factory=dict)

    @property
    def resolved(self) -> bool:
        return self.status in (EXACT, ALIAS) or self.target is not None or self.creates

    @property
    def target(self) -> Department | None:
        """The existing department the unit becomes, once known."""
        return self.department if self.status in (EXACT, ALIAS) else self.chosen

    chosen: Department | None = None

    @property
    def creates(self) -> bool:
        return "create" in self.decision


def match_units(
    names: list[str], spellings: dict[str, str], known: Known, decisions: dict
) -> list[UnitMatch]:
    """Match each name (in order), with the spellings of the plan that were read as it."""
    read_as: dict[str, list[str]] = {}
    for spelling, name in spellings.items():
        read_as.setdefault(name, []).append(spelling)
    matches = []
    for name in names:
        match = _match(name, read_as.get(name, [name]), known)
        decision = decisions.get(name) or {}
        match.decision = decision
        if "department" in decision:
            match.chosen = known.departments.get(decision["department"])
            if match.chosen is None:
                match.decision = {}
        matches.append(match)
    return matches


def _match(name: str, spellings: list[str], known: Known) -> UnitMatch:
    pk = known.by_spelling.get(name)
    if pk is not None:
        department = known.departments[pk]
        if department.name == name and spellings == [name]:
            return UnitMatch(name, EXACT, department=department, spellings=spellings)
        others = [spelling for spelling in spellings if spelling != department.name]
        reason = _("文中写作“%(spellings)s”，是“%(name)s”的已知写法") % {
            "spellings": "”“".join(others or [name]),
            "name": department.name,
        }
        return UnitMatch(name, ALIAS, department=department, reason=reason, spellings=spellings)
    try:
        entry = resolve(name)
    except KeyError:
        return _near_or_new(name, spellings, known)
    return UnitMatch(
        name,
        DIRECTORY_KNOWN,
        reason=_("单位名录中有此单位，平台中尚未建立"),
        spellings=spellings,
        kind=entry.kind,
        short_name=entry.short_name,
    )


def _near_or_new(name: str, spellings: list[str], known: Known) -> UnitMatch:
    close = difflib.get_close_matches(name, list(known.by_spelling), n=1, cutoff=NEAR_CUTOFF)
    if not close:
        return UnitMatch(name, NEW, spellings=spellings, short_name=name)
    spelling = close[0]
    department = known.departments[known.by_spelling[spelling]]
    ratio = difflib.SequenceMatcher(None, name, spelling).ratio()
    reason = _("与“%(spelling)s”相似（相似度 %(percent)s%%）") % {
        "spelling": spelling,
        "percent": round(ratio * 100),
    }
    if spelling != department.name:
        reason += _("，该写法属于“%(name)s”") % {"name": department.name}
    return UnitMatch(
        name,
        NEAR,
        candidate=department,
        reason=reason,
        spellings=spellings,
        kind=department.kind,
        short_name=name,
    )
