"""Parse the appendix 试点任务责任分工表 of 琼商服〔2020〕150号 into plain data.

Pure Python on purpose: a data migration, a management command and the tests call it
without Django being set up.

The text came out of a PDF, so the table is tab-separated with four columns
(试点任务, 序号, 具体举措, 责任分工). The header repeats on every page, and a row cut
by a page break continues on a later line whose 序号 cell is empty; its third and
fourth cells carry the rest of the measure and of the responsibility, either possibly
empty.

The source's own slips (a stray English "and", half-width punctuation inside Chinese
text) are corrected by the errata table ``tasks/plan_data/errata.tsv``: each row names a
task, a cell, the text as the source has it and its correction. The parser applies the
rows in order and keeps the source text of every cell alongside the corrected one.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from departments.directory import SPELLINGS, resolve

HEADER = "试点任务\t序号\t具体举措\t责任分工"
CHINESE_NUMERALS = "一二三四五六七八九"

# Both the full-width （三） and the half-width (三) spellings occur.
_CATEGORY = re.compile(r"^[（(]([一二三四五六七八九])[）)]\s*(\S.*)$")

# Longest first, so 负责统筹推进 is not read as 统筹推进.
_VERBS = (
    "负责统筹推进",
    "负责统筹指导",
    "共同负责推进",
    "统筹指导",
    "统筹推进",
    "负责推进",
    "负责落实",
    "负责指导",
    "牵头推进",
    "配合落实",
    "配合推进",
    "落实推进",
    "牵头",
    "统筹",
    "配合",
)
_VERB = re.compile("|".join(_VERBS))

# Commas and semicolons of both widths, the full stop, and the enumeration comma that
# tasks 56 and 111 put between a verb and the next clause.
_CLAUSE_PUNCTUATION = "，,；;。、"

# Inside one clause's unit list.
_UNIT_SEPARATORS = ("、", "和", "及")

# "X等有关部门" and "X等部门" also name the unnamed others; a bare "X等" does not.
_ETC_COLLECTIVES = (("等有关部门", "有关部门"), ("等部门", "有关部门"), ("等", None))

# （商务厅） after the office says where the office sits; it is not a second unit.
_NOTE = re.compile(r"[（(][^）)]*[）)]")

ERRATA_TABLE = Path(__file__).with_name("plan_data") / "errata.tsv"
ERRATA_FIELDS = ("measure", "responsibility")

# What counts as Chinese text around a half-width mark: ideographs, full-width
# punctuation and forms, Chinese quotation marks.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef“”‘’"
_HALF_WIDTH_BRACKETS = re.compile("\\(([\u3400-\u4dbf\u4e00-\u9fff]+)\\)")
_HALF_WIDTH_MARKS = re.compile(f"(?<=[{_CJK}])[,:;](?=[{_CJK}])")
_FULL_WIDTH = {",": "，", ":": "：", ";": "；"}


@dataclass(frozen=True)
class ParsedCategory:
    number: int
    label: str
    title: str


@dataclass(frozen=True)
class ParsedTask:
    number: int
    category: int
    measure: str
    responsibility: str
    leads: tuple[str, ...]
    supports: tuple[str, ...]
    # The cells as the source has them, before the errata (kept for audit).
    source_measure: str = ""
    source_responsibility: str = ""


@dataclass(frozen=True)
class Erratum:
    """One correction: in ``field`` of task ``task``, every ``original`` becomes ``corrected``."""

    task: int
    field: str
    original: str
    corrected: str
    reason: str


@dataclass(frozen=True)
class ParsedPlan:
    categories: tuple[ParsedCategory, ...]
    tasks: tuple[ParsedTask, ...]


@dataclass
class _Row:
    number: int
    category: int
    measure: str
    responsibility: str


def parse_plan(text: str, errata: tuple[Erratum, ...] | None = None) -> ParsedPlan:
    """Parse the whole document and return its categories and tasks, errata applied.

    ``errata`` defaults to the committed table; pass ``()`` for the source text as it is.
    """
    categories, rows = _read_table(_table_lines(text))
    _check_numbering(rows)
    sources = {row.number: (row.measure, row.responsibility) for row in rows}
    _apply_errata(rows, read_errata() if errata is None else errata)
    tasks = tuple(_to_task(row, *sources[row.number]) for row in rows)
    return ParsedPlan(categories=tuple(categories), tasks=tasks)


def read_errata(path: Path = ERRATA_TABLE) -> tuple[Erratum, ...]:
    """Read the errata table: tab-separated, '#' comments, a header row first."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [line.split("\t") for line in lines if not line.startswith("#")][1:]
    for cells in rows:
        if len(cells) != 5 or cells[1] not in ERRATA_FIELDS:
            raise ValueError(f"bad errata row: {cells!r}")
    return tuple(Erratum(int(task), *rest) for task, *rest in rows)


def _apply_errata(rows: list[_Row], errata: tuple[Erratum, ...]) -> None:
    """Apply each correction in order; one that no longer matches its cell is an error."""
    by_number = {row.number: row for row in rows}
    for erratum in errata:
        row = by_number[erratum.task]
        cell = getattr(row, erratum.field)
        if erratum.original not in cell:
            raise ValueError(
                f"erratum for task {erratum.task} {erratum.field} does not match: "
                f"{erratum.original!r}"
            )
        setattr(row, erratum.field, cell.replace(erratum.original, erratum.corrected))


def full_width_punctuation(text: str) -> str:
    """Return ``text`` with half-width , : ; ( ) made full width where Chinese surrounds them.

    Brackets whose content is Chinese, and , : ; with Chinese on both sides; numbers and
    Latin text keep their punctuation. The errata table is checked against this rule.
    """
    text = _HALF_WIDTH_BRACKETS.sub(r"（\1）", text)
    return _HALF_WIDTH_MARKS.sub(lambda match: _FULL_WIDTH[match.group()], text)


def split_responsibility(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (leads, supports) as canonical names, each in order of first mention.

    The first clause names the leads whatever its verb (牵头, 统筹指导, 负责推进 ...);
    every later clause names supporting units, which is how the office reads 统筹指导
    followed by 负责推进 as well as 牵头 followed by 配合. A unit named in both keeps
    only its lead role.
    """
    leads: list[str] = []
    supports: list[str] = []
    for index, units in enumerate(_clauses(_NOTE.sub("", text))):
        target = leads if index == 0 else supports
        target.extend(name for name in _scan_units(units) if name not in target)
    return tuple(leads), tuple(name for name in supports if name not in leads)


def _table_lines(text: str) -> list[str]:
    """Return the non-empty lines after the first table header, headers dropped."""
    lines = text.splitlines()
    try:
        start = lines.index(HEADER)
    except ValueError:
        raise ValueError("table header not found; is this 琼商服〔2020〕150号?") from None
    return [line for line in lines[start:] if line.strip() and line != HEADER]


def _read_table(lines: list[str]) -> tuple[list[ParsedCategory], list[_Row]]:
    """Turn table lines into categories and rows, joining page-break continuations."""
    categories: list[ParsedCategory] = []
    rows: list[_Row] = []
    for line in lines:
        cells = line.split("\t")
        if len(cells) != 4:
            raise ValueError(f"expected 4 tab-separated cells, got {len(cells)}: {line!r}")
        first, number, measure, responsibility = cells
        if first.strip():
            categories.append(_parse_category(first.strip()))
        if number.strip():
            if not categories:
                raise ValueError(f"task before any category: {line!r}")
            rows.append(_Row(int(number), categories[-1].number, measure, responsibility))
        elif rows:
            # The 序号 cell is empty: the rest of the row above, cell by cell.
            rows[-1].measure += measure
            rows[-1].responsibility += responsibility
        else:
            raise ValueError(f"continuation line before any task: {line!r}")
    return categories, rows


def _parse_category(cell: str) -> ParsedCategory:
    """Parse a category cell such as "(三)全面探索提升便利水平"."""
    match = _CATEGORY.match(cell)
    if not match:
        raise ValueError(f"not a category label: {cell!r}")
    numeral, title = match.groups()
    number = CHINESE_NUMERALS.index(numeral) + 1
    return ParsedCategory(number=number, label=f"（{numeral}）", title=title.strip())


def _check_numbering(rows: list[_Row]) -> None:
    """Refuse a table whose 序号 are not 1, 2, 3 ... without gaps."""
    for expected, row in enumerate(rows, start=1):
        if row.number != expected:
            raise ValueError(f"task {row.number} found where task {expected} was expected")


def _to_task(row: _Row, source_measure: str, source_responsibility: str) -> ParsedTask:
    """Build the task for a complete row."""
    try:
        leads, supports = split_responsibility(row.responsibility)
    except (KeyError, ValueError) as error:
        raise ValueError(f"task {row.number}: {error}") from error
    if not leads:
        raise ValueError(f"task {row.number} has no lead: {row.responsibility!r}")
    return ParsedTask(
        number=row.number,
        category=row.category,
        measure=row.measure,
        responsibility=row.responsibility,
        leads=leads,
        supports=supports,
        source_measure=source_measure,
        source_responsibility=source_responsibility,
    )


def _clauses(text: str) -> list[str]:
    """Return the unit list of each clause, a clause being units followed by a verb.

    Splitting on verbs rather than on punctuation copes with 、 between clauses
    (task 56: 省公安厅负责推进、省委外办……) and with a stray 、 before a verb
    (task 22: 省商务厅、负责统筹指导).
    """
    clauses = []
    position = 0
    for match in _VERB.finditer(text):
        clauses.append(text[position : match.start()].strip(_CLAUSE_PUNCTUATION + " "))
        position = match.end()
    rest = text[position:].strip(_CLAUSE_PUNCTUATION + " ")
    if rest:
        raise ValueError(f"units without a verb at the end: {rest!r}")
    return clauses


def _scan_units(text: str) -> list[str]:
    """Return canonical names for a unit list such as "发改、交通、资规等有关部门和市县"."""
    names: list[str] = []
    position = 0
    while position < len(text):
        step, name = _next_unit(text, position)
        position += step
        if name and name not in names:
            names.append(name)
    return names


def _next_unit(text: str, position: int) -> tuple[int, str | None]:
    """Read one separator, 等-marker or unit at position; return (length, canonical name)."""
    rest = text[position:]
    for separator in _UNIT_SEPARATORS:
        if rest.startswith(separator):
            return len(separator), None
    for marker, collective in _ETC_COLLECTIVES:
        if rest.startswith(marker):
            return len(marker), collective
    for spelling in SPELLINGS:
        if rest.startswith(spelling):
            return len(spelling), resolve(spelling).name
    raise ValueError(f"unknown unit at {rest!r}")
