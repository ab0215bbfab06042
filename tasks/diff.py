"""What changed between the submission the office returned and the one sent back."""

import difflib

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.models import ReviewAction, TaskStatus
from tasks.services.reporting import TEXT_FIELDS

# Bounds on the work of one review page (see DiffBudget).
DIFF_MAX_CHARS = 50_000  # old + new of one field; above it, no comparison at all
BLOCK_MAX_CHARS = 1_000  # old + new of a block's changed middle compared char by char
CHAR_BUDGET = 6_000  # characters compared character by character on one page

DIFF_FIELDS = (
    ("status", gettext_lazy("推进状态")),
    ("percent", gettext_lazy("完成进度（%）")),
    ("work_done", gettext_lazy("本期工作进展")),
    ("next_steps", gettext_lazy("下步工作计划")),
    ("problems", gettext_lazy("存在问题及需协调事项")),
    ("needs_coordination", gettext_lazy("需协调解决")),
)


def revision_diff(update) -> list[dict] | None:
    """Compare the revision last returned with the latest one, field by field.

    Return None unless the update was returned and resubmitted since. Uses prefetched
    ``reviews`` and ``revisions``.
    """
    returned = [r for r in update.reviews.all() if r.action == ReviewAction.RETURN]
    revisions = list(update.revisions.all())
    if not returned or returned[-1].revision is None or not revisions:
        return None
    before, after = returned[-1].revision, revisions[-1]
    if after.number <= before.number:
        return None
    rows = []
    budget = DiffBudget()
    for field, label in DIFF_FIELDS:
        old = _shown(field, before.snapshot.get(field))
        new = _shown(field, after.snapshot.get(field))
        # Texts are compared line by line, then character by character within changed
        # lines; a status, a percent or a flag is shown as a whole old and new value.
        whole = field not in TEXT_FIELDS
        html = diff_html(old, new, whole=whole, budget=budget)
        rows.append({"label": label, "changed": old != new, "html": html})
    return rows


def _shown(field: str, value) -> str:
    if field == "status" and value in TaskStatus.values:
        return str(TaskStatus(value).label)
    if field == "needs_coordination":
        return _("是") if value else _("否")
    return "" if value is None else str(value)


class DiffBudget:
    """How many characters one page may still compare character by character.

    difflib's matcher is quadratic in the worst case, so the work of a page is bounded:
    texts are compared line by line, and only changed blocks of lines that are short
    enough, within this budget, are compared character by character.
    """

    def __init__(self, chars: int = CHAR_BUDGET):
        self.left = chars
        self.used = 0

    def take(self, chars: int) -> bool:
        """Spend ``chars`` if there are that many left; tell whether it was spent."""
        if chars > self.left:
            return False
        self.left -= chars
        self.used += chars
        return True


def diff_html(old: str, new: str, *, whole: bool = False, budget: DiffBudget | None = None) -> str:
    """Mark ``old`` -> ``new`` with <del> and <ins> (escaped), within bounded work.

    Lines first; a changed block of lines is then compared character by character (Chinese
    has no spaces between words) when it is short and the budget allows, else shown as a
    whole. Texts together longer than DIFF_MAX_CHARS are not compared at all: a notice
    says so above the old and the new text.
    """
    if whole:
        return mark_safe(_replaced(old, new))  # escaped in _replaced
    if len(old) + len(new) > DIFF_MAX_CHARS:
        notice = f'<p class="muted diff-notice">{escape(_("内容过长，未逐字比较。"))}</p>'
        return mark_safe(notice + _replaced(old, new))  # escaped in _replaced
    budget = budget if budget is not None else DiffBudget()
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    parts = []
    # autojunk (the default) skips very common lines such as blank ones, which keeps the
    # line matcher near-linear on long texts.
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_lines, new_lines).get_opcodes():
        before, after = "".join(old_lines[a1:a2]), "".join(new_lines[b1:b2])
        if op == "equal":
            parts.append(escape(before))
        elif op == "replace":
            parts.append(_block_diff(before, after, budget))
        else:
            parts.append(_replaced(before, after))
    return mark_safe("".join(parts))  # every piece is escaped


def _block_diff(old: str, new: str, budget: DiffBudget) -> str:
    """Compare a changed block character by character if its changed middle is affordable.

    The common start and end are cut off first (linear), so a small edit in a long
    paragraph costs only its own size.
    """
    start = _common_prefix_length(old, new)
    end = _common_prefix_length(old[start:][::-1], new[start:][::-1])
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    size = len(old_middle) + len(new_middle)
    if size > BLOCK_MAX_CHARS or not budget.take(size):
        return _replaced(old, new)
    parts = [escape(old[:start])]
    matcher = difflib.SequenceMatcher(None, old_middle, new_middle, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape(old_middle[a1:a2]))
        else:
            parts.append(_replaced(old_middle[a1:a2], new_middle[b1:b2]))
    parts.append(escape(old[len(old) - end :]))
    return "".join(parts)


def _common_prefix_length(a: str, b: str) -> int:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def _replaced(old: str, new: str) -> str:
    deleted = f"<del>{escape(old)}</del>" if old else ""
    inserted = f"<ins>{escape(new)}</ins>" if new else ""
    return deleted + inserted
