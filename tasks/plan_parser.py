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

Every reader feeds the same row parser: the plain text (``read_text_rows``), a Word
table and a workbook (``tasks/plan_import/readers.py``) each yield ``SourceRow``s, and
``parse_rows`` turns them into categories and tasks. It records what is wrong with a row
as a ``RowProblem`` (the import preview lists them); ``parse_plan`` refuses any.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

from departments.directory import SPELLINGS, resolve

HEADER = "试点任务\t序号\t具体举措\t责任分工"

# Category labels run (一) ... (十九); a label without a numeral takes the next number.
_DIGITS = "一二三四五六七八九"
CHINESE_NUMERALS = _DIGITS


def chinese_numeral(number: int) -> str:
    """Return 1..99 as a Chinese numeral: 三, 十, 十二, 二十一."""
    tens, ones = divmod(number, 10)
    if not 0 < number < 100:
        raise ValueError(f"no numeral for {number}")
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens - 1] + "十")
    return head + ("" if ones == 0 else _DIGITS[ones - 1])


_NUMERAL_VALUES = {chinese_numeral(number): number for number in range(1, 100)}

# Both the full-width （三） and the half-width (三) spellings occur.
_CATEGORY = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*(\S.*)$")

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

# An unknown unit's name ends at one of these (a separate 牵头单位 column may use commas).
_UNKNOWN_UNIT_ENDS = "、，,；;。 "

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

# Due dates as plans write them: 2022-12-31, 2022年12月31日, 2022年12月(底), 2022年(底).
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CHINESE_DATE = re.compile(r"^(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?(?:底|末|前|底前)*$")


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
    # Where the row starts in its file (line or table row, 1-based) and its own due date.
    line: int = 0
    due_on: date | None = None


@dataclass(frozen=True)
class Erratum:
    """One correction: in ``field`` of task ``task``, every ``original`` becomes ``corrected``."""

    task: int
    field: str
    original: str
    corrected: str
    reason: str


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one row; ``code`` is one of ``PROBLEM_CODES``."""

    line: int
    number: int | None
    code: str
    detail: str


PROBLEM_CODES = (
    "bad_number",
    "duplicate_number",
    "no_category",
    "empty_measure",
    "unknown_verb",
    "no_lead",
    "unknown_unit",
    "bad_due_date",
    "orphan_continuation",
)


@dataclass(frozen=True)
class ParsedPlan:
    categories: tuple[ParsedCategory, ...]
    tasks: tuple[ParsedTask, ...]
    problems: tuple[RowProblem, ...] = ()
    # Unit names no spelling of the lexicon matched, in order of first mention.
    new_units: tuple[str, ...] = ()
    # Each known spelling met and the canonical name it was read as.
    spellings: tuple[tuple[str, str], ...] = ()


@dataclass
class UnitLog:
    """Collects, while parsing, the units no spelling matched and the spellings met."""

    new: list[str]
    spellings: dict[str, str]


@dataclass(frozen=True)
class SourceRow:
    """One row of a responsibility table as a reader found it, cells as text.

    ``number`` empty means the rest of the row above (a page break in the text copy).
    ``leads`` / ``supports`` / ``due`` are filled when the table has such columns.
    """

    line: int
    category: str
    number: str
    measure: str
    responsibility: str
    leads: str = ""
    supports: str = ""
    due: str = ""


@dataclass(frozen=True)
class Lexicon:
    """Every known spelling of a unit and the canonical name it stands for."""

    canonical: dict[str, str]
    spellings: tuple[str, ...]

    @classmethod
    def of(cls, canonical: dict[str, str]) -> "Lexicon":
        # Longest first, so 省知识产权局 is tried before 省知识产权.
        return cls(canonical=canonical, spellings=tuple(sorted(canonical, key=len, reverse=True)))


DIRECTORY_LEXICON = Lexicon.of({spelling: resolve(spelling).name for spelling in SPELLINGS})


@dataclass
class _Row:
    line: int
    number: int | None
    category: int
    measure: str
    responsibility: str
    leads: str
    supports: str
    due: str


def parse_plan(text: str, errata: tuple[Erratum, ...] | None = None) -> ParsedPlan:
    """Parse the whole document and return its categories and tasks, errata applied.

    ``errata`` defaults to the committed table; pass ``()`` for the source text as it is.
    Any problem in any row is an error here, as are gaps in the numbering.
    """
    plan = parse_rows(read_text_rows(text), errata=read_errata() if errata is None else errata)
    for problem in plan.problems:
        raise ValueError(f"task {problem.number} (line {problem.line}): {problem.detail}")
    _check_numbering(plan.tasks)
    return plan


def parse_rows(
    rows: list[SourceRow],
    *,
    errata: tuple[Erratum, ...] = (),
    lexicon: Lexicon = DIRECTORY_LEXICON,
    allow_new_units: bool = False,
) -> ParsedPlan:
    """Turn the rows of any reader into categories and tasks, listing each row's problems.

    With ``allow_new_units`` a unit no spelling matches is kept under its own name and
    listed in ``new_units`` (the import preview matches it); otherwise it is a problem.
    """
    problems: list[RowProblem] = []
    categories, table = _read_table(rows, problems)
    sources = {id(row): (row.measure, row.responsibility) for row in table}
    _apply_errata(table, errata)
    log = UnitLog([], {}) if allow_new_units else None
    tasks = []
    seen: set[int] = set()
    for row in table:
        if row.number is not None and row.number in seen:
            problems.append(_problem(row, "duplicate_number", f"序号 {row.number} 重复"))
        seen.add(row.number)
        tasks.append(_to_task(row, *sources[id(row)], lexicon, log, problems))
    return ParsedPlan(
        categories=tuple(categories),
        tasks=tuple(tasks),
        problems=tuple(problems),
        new_units=tuple(log.new if log else ()),
        spellings=tuple(log.spellings.items() if log else ()),
    )


def read_text_rows(text: str) -> list[SourceRow]:
    """Read the tab-separated table of the text copy: 试点任务, 序号, 具体举措, 责任分工."""
    rows = []
    for line_number, line in _table_lines(text):
        cells = line.split("\t")
        if len(cells) != 4:
            raise ValueError(f"expected 4 tab-separated cells, got {len(cells)}: {line!r}")
        rows.append(SourceRow(line_number, *cells))
    return rows


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


def split_responsibility(
    text: str, lexicon: Lexicon = DIRECTORY_LEXICON, log: UnitLog | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (leads, supports) as canonical names, each in order of first mention.

    The first clause names the leads whatever its verb (牵头, 统筹指导, 负责推进 ...);
    every later clause names supporting units, which is how the office reads 统筹指导
    followed by 负责推进 as well as 牵头 followed by 配合. A unit named in both keeps
    only its lead role. An unknown unit is an error unless ``log`` collects it.
    """
    leads: list[str] = []
    supports: list[str] = []
    for index, units in enumerate(_clauses(_NOTE.sub("", text))):
        target = leads if index == 0 else supports
        names = _scan_units(units, lexicon, log)
        target.extend(name for name in names if name not in target)
    return tuple(leads), tuple(name for name in supports if name not in leads)


def parse_due_date(text: str) -> date | None:
    """Read a due date cell (2022-12-31, 2022年12月底, 2022年底); empty gives None."""
    text = re.sub(r"\s", "", text).removesuffix("前").removesuffix("完成")
    if not text:
        return None
    if match := _ISO_DATE.match(text.split("T")[0]):
        return date(*map(int, match.groups()))
    if match := _CHINESE_DATE.match(text):
        year, month, day = (int(part) if part else None for part in match.groups())
        if month is None:
            return date(year, 12, 31)
        if day is None:
            return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        return date(year, month, day)
    raise ValueError(f"not a date: {text!r}")


def _table_lines(text: str) -> list[tuple[int, str]]:
    """Return (line number, line) of the non-empty lines after the first table header."""
    lines = text.splitlines()
    try:
        start = lines.index(HEADER)
    except ValueError:
        raise ValueError("table header not found; is this 琼商服〔2020〕150号?") from None
    return [
        (number, line)
        for number, line in enumerate(lines[start:], start=start + 1)
        if line.strip() and line != HEADER
    ]


def join_rows(rows: list[SourceRow], problems: list[RowProblem]) -> list[SourceRow]:
    """Return one row per task: continuations joined, each row's category cell filled in.

    A category cell repeated on every row (a merged cell in Word) opens no new category;
    a row with a category and nothing else (a heading row) only opens one.
    """
    joined: list[SourceRow] = []
    category = ""
    for row in rows:
        category = row.category.strip() or category
        if row.number.strip():
            joined.append(replace(row, category=category))
        elif joined:
            # The 序号 cell is empty: the rest of the row above, cell by cell.
            last = joined[-1]
            joined[-1] = replace(
                last,
                measure=last.measure + row.measure,
                responsibility=last.responsibility + row.responsibility,
                leads=last.leads + row.leads,
                supports=last.supports + row.supports,
                due=last.due + row.due,
            )
        elif row.measure.strip() or row.responsibility.strip():
            problems.append(RowProblem(row.line, None, "orphan_continuation", "续行前没有任务"))
    return joined


def _read_table(
    rows: list[SourceRow], problems: list[RowProblem]
) -> tuple[list[ParsedCategory], list[_Row]]:
    """Turn source rows into categories and rows."""
    categories: list[ParsedCategory] = []
    cells: list[str] = []
    for row in rows:
        first = row.category.strip()
        if first and first not in cells:
            categories.append(_parse_category(first, len(categories) + 1))
            cells.append(first)
    table = [_start_row(row, categories, cells, problems) for row in join_rows(rows, problems)]
    return categories, table


def _start_row(row, categories, cells, problems) -> _Row:
    number = _read_number(row.number)
    first = row.category.strip()
    category = categories[cells.index(first)].number if first else 0
    started = _Row(
        row.line,
        number,
        category,
        row.measure,
        row.responsibility,
        row.leads,
        row.supports,
        row.due,
    )
    if number is None:
        problems.append(_problem(started, "bad_number", f"序号不是数字：{row.number.strip()!r}"))
    if not first:
        problems.append(_problem(started, "no_category", "任务前没有类别"))
    return started


def _read_number(cell: str) -> int | None:
    cell = cell.strip().rstrip(".、")
    return int(cell) if cell.isdigit() and cell.isascii() else None


def _parse_category(cell: str, next_number: int) -> ParsedCategory:
    """Parse a category cell such as "(三)全面探索提升便利水平"; unnumbered ones count on."""
    match = _CATEGORY.match(cell)
    if match and match.group(1) in _NUMERAL_VALUES:
        numeral, title = match.groups()
        return ParsedCategory(_NUMERAL_VALUES[numeral], f"（{numeral}）", title.strip())
    return ParsedCategory(next_number, f"（{chinese_numeral(next_number)}）", cell)


def _check_numbering(tasks: tuple[ParsedTask, ...]) -> None:
    """Refuse a table whose 序号 are not 1, 2, 3 ... without gaps."""
    for expected, task in enumerate(tasks, start=1):
        if task.number != expected:
            raise ValueError(f"task {task.number} found where task {expected} was expected")


def _problem(row: _Row, code: str, detail: str) -> RowProblem:
    return RowProblem(row.line, row.number, code, detail)


def _to_task(
    row: _Row,
    source_measure: str,
    source_responsibility: str,
    lexicon: Lexicon,
    log: UnitLog | None,
    problems: list[RowProblem],
) -> ParsedTask:
    """Build the task for a complete row, recording what is wrong with it."""
    if not row.measure.strip():
        problems.append(_problem(row, "empty_measure", "具体举措为空"))
    units = _units_of(row, lexicon, log, problems)
    leads, supports = units or ((), ())
    if units is not None and not leads:
        problems.append(_problem(row, "no_lead", f"没有牵头单位：{row.responsibility!r}"))
    try:
        due_on = parse_due_date(row.due)
    except ValueError:
        problems.append(_problem(row, "bad_due_date", f"完成时限无法识别：{row.due!r}"))
        due_on = None
    return ParsedTask(
        number=row.number or 0,
        category=row.category,
        measure=row.measure,
        responsibility=row.responsibility,
        leads=leads,
        supports=supports,
        source_measure=source_measure,
        source_responsibility=source_responsibility,
        line=row.line,
        due_on=due_on,
    )


def _units_of(row, lexicon, log, problems) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Read leads and supports from their own columns if given, else from 责任分工.

    Return None (and record why) when the cell cannot be read.
    """
    try:
        if row.leads.strip():
            leads = tuple(_scan_units(_unit_list(row.leads), lexicon, log))
            supports = _scan_units(_unit_list(row.supports), lexicon, log)
            return leads, tuple(name for name in dict.fromkeys(supports) if name not in leads)
        return split_responsibility(row.responsibility, lexicon, log)
    except UnknownUnit as error:
        problems.append(_problem(row, "unknown_unit", str(error)))
    except ValueError as error:
        problems.append(_problem(row, "unknown_verb", str(error)))
    return None


def _unit_list(cell: str) -> str:
    """A 牵头单位 / 配合单位 cell as one unit list: commas become 、, verbs go."""
    text = _VERB.sub("", _NOTE.sub("", cell))
    return re.sub(r"[，,；;/\s]+", "、", text).strip("、。")


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


class UnknownUnit(ValueError):
    """A unit list names a unit no spelling of the lexicon matches."""


def _scan_units(text: str, lexicon: Lexicon, log: UnitLog | None) -> list[str]:
    """Return canonical names for a unit list such as "发改、交通、资规等有关部门和市县"."""
    names: list[str] = []
    position = 0
    while position < len(text):
        step, name = _next_unit(text, position, lexicon, log)
        position += step
        if name and name not in names:
            names.append(name)
    return names


def _next_unit(
    text: str, position: int, lexicon: Lexicon, log: UnitLog | None
) -> tuple[int, str | None]:
    """Read one separator, 等-marker or unit at position; return (length, canonical name)."""
    rest = text[position:]
    for separator in _UNIT_SEPARATORS:
        if rest.startswith(separator):
            return len(separator), None
    for marker, collective in _ETC_COLLECTIVES:
        if rest.startswith(marker):
            return len(marker), collective
    for spelling in lexicon.spellings:
        if rest.startswith(spelling) and _ends_a_unit(rest[len(spelling) :], lexicon):
            if log is not None:
                log.spellings.setdefault(spelling, lexicon.canonical[spelling])
            return len(spelling), lexicon.canonical[spelling]
    if log is None:
        raise UnknownUnit(f"unknown unit at {rest!r}")
    length = _unknown_length(rest, lexicon)
    name = rest[:length].strip()
    if name and name not in log.new:
        log.new.append(name)
    return length, name or None


def _ends_a_unit(after: str, lexicon: Lexicon) -> bool:
    """Tell whether a spelling ends where ``after`` begins (省知识产权 is no 省知识产权保护中心)."""
    if not after or after[0] in _UNKNOWN_UNIT_ENDS:
        return True
    if after.startswith((*_UNIT_SEPARATORS, "等")):
        return True
    return after.startswith(lexicon.spellings)


def _unknown_length(rest: str, lexicon: Lexicon) -> int:
    """Return how much of ``rest`` an unknown unit's name takes: up to 、, 等 or 和+known."""
    for index in range(1, len(rest)):
        char, after = rest[index], rest[index + 1 :]
        if char in _UNKNOWN_UNIT_ENDS or char == "等":
            return index
        if char in "和及" and after.startswith(lexicon.spellings):
            return index
    return len(rest)
