"""What confirming an import would create, and what still blocks it (reads only)."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.models import PlanImport, Programme
from tasks.plan_import.matching import UnitMatch, load_known, match_units
from tasks.plan_parser import ParsedPlan, ParsedTask, RowProblem, SourceRow, parse_rows

PROBLEM_MESSAGES = {
    "bad_number": gettext_lazy("序号不是数字"),
    "duplicate_number": gettext_lazy("序号重复"),
    "no_category": gettext_lazy("没有所属类别（试点任务列为空）"),
    "empty_measure": gettext_lazy("具体举措为空"),
    "unknown_verb": gettext_lazy(
        "责任分工中没有可识别的分工用语（如“牵头”“负责推进”“配合”），或单位后缺少分工用语"
    ),
    "no_lead": gettext_lazy("没有牵头单位"),
    "unknown_unit": gettext_lazy("有无法识别的单位"),
    "bad_due_date": gettext_lazy("完成时限无法识别（示例：2024-12-31、2024年12月底）"),
    "orphan_continuation": gettext_lazy("续行前没有任务"),
}

REQUIRED_META = {
    "title": gettext_lazy("方案名称"),
    "code": gettext_lazy("代码"),
    "doc_number": gettext_lazy("文号"),
    "issuer": gettext_lazy("印发单位"),
    "issued_on": gettext_lazy("印发日期"),
    "starts_on": gettext_lazy("试点开始"),
    "ends_on": gettext_lazy("试点结束"),
    "tasks_due_on": gettext_lazy("任务完成期限"),
}


@dataclass
class PreviewRow:
    index: int
    source: dict
    task: ParsedTask
    category_label: str
    problems: list[str]


@dataclass
class Preview:
    plan: ParsedPlan
    rows: list[PreviewRow]
    units: list[UnitMatch]
    meta: dict
    blockers: list[str]

    @property
    def problem_rows(self) -> list[PreviewRow]:
        return [row for row in self.rows if row.problems]

    @property
    def units_to_review(self) -> list[UnitMatch]:
        """Units the office decides or should look at (all but exact matches), undecided first."""
        shown = [unit for unit in self.units if unit.status != "exact"]
        return sorted(shown, key=lambda unit: (unit.resolved, unit.status == "alias"))

    @property
    def exact_units(self) -> list[UnitMatch]:
        return [unit for unit in self.units if unit.status == "exact"]


def build_preview(plan_import: PlanImport) -> Preview:
    """Parse the draft's rows with the portal's spellings and list what blocks confirming."""
    known = load_known()
    source_rows = [SourceRow(**row) for row in plan_import.rows]
    plan = parse_rows(source_rows, lexicon=known.lexicon(), allow_new_units=True)
    names = list(dict.fromkeys(n for task in plan.tasks for n in (*task.leads, *task.supports)))
    units = match_units(names, dict(plan.spellings), known, plan_import.units)
    rows = _rows(plan, plan_import.rows)
    meta = plan_import.meta
    blockers = _blockers(rows, units, meta)
    return Preview(plan=plan, rows=rows, units=units, meta=meta, blockers=blockers)


def _rows(plan: ParsedPlan, sources: list[dict]) -> list[PreviewRow]:
    by_line: dict[int, list[RowProblem]] = {}
    for problem in plan.problems:
        by_line.setdefault(problem.line, []).append(problem)
    labels = {category.number: f"{category.label}{category.title}" for category in plan.categories}
    return [
        PreviewRow(
            index=index,
            source=source,
            task=task,
            category_label=labels.get(task.category, ""),
            problems=[_message(problem) for problem in by_line.get(task.line, [])],
        )
        for index, (task, source) in enumerate(zip(plan.tasks, sources, strict=True))
    ]


def _message(problem: RowProblem) -> str:
    message = str(PROBLEM_MESSAGES[problem.code])
    if problem.code == "duplicate_number":
        return _("序号 %(number)s 重复") % {"number": problem.number}
    return message


def _blockers(rows: list[PreviewRow], units: list[UnitMatch], meta: dict) -> list[str]:
    blockers = [
        _("第 %(line)s 行（序号 %(number)s）：%(problems)s")
        % {
            "line": row.task.line,
            "number": row.source["number"],
            "problems": "；".join(row.problems),
        }
        for row in rows
        if row.problems
    ]
    blockers += [
        _("单位“%(name)s”尚未确认：请选择已有单位或新建。") % {"name": unit.name}
        for unit in units
        if not unit.resolved
    ]
    missing = [str(label) for key, label in REQUIRED_META.items() if not meta.get(key)]
    if missing:
        blockers.append(_("请填写方案信息：%(fields)s。") % {"fields": "、".join(missing)})
    blockers += _meta_conflicts(meta)
    if not rows:
        blockers.append(_("没有任务行。"))
    return blockers


def _meta_conflicts(meta: dict) -> list[str]:
    problems = []
    if meta.get("code") and Programme.objects.filter(code=meta["code"]).exists():
        problems.append(_("代码“%(code)s”已被其他方案使用。") % {"code": meta["code"]})
    starts, ends = meta.get("starts_on"), meta.get("ends_on")
    if starts and ends and datetime.date.fromisoformat(starts) >= datetime.date.fromisoformat(ends):
        problems.append(_("试点结束日期须晚于开始日期。"))
    return problems
