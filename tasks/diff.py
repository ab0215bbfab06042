"""What changed between the submission the office returned and the one sent back."""

import difflib

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tasks.models import ReviewAction, TaskStatus
from tasks.services.reporting import TEXT_FIELDS

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
    for field, label in DIFF_FIELDS:
        old = _shown(field, before.snapshot.get(field))
        new = _shown(field, after.snapshot.get(field))
        # Texts are compared character by character (Chinese has no spaces between words);
        # a status, a percent or a flag is shown as a whole old and new value.
        html = diff_html(old, new) if field in TEXT_FIELDS else diff_html(old, new, whole=True)
        rows.append({"label": label, "changed": old != new, "html": html})
    return rows


def _shown(field: str, value) -> str:
    if field == "status" and value in TaskStatus.values:
        return str(TaskStatus(value).label)
    if field == "needs_coordination":
        return _("是") if value else _("否")
    return "" if value is None else str(value)


def diff_html(old: str, new: str, *, whole: bool = False) -> str:
    """Mark ``old`` -> ``new`` character by character with <del> and <ins> (escaped)."""
    parts = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = [("replace", 0, len(old), 0, len(new))] if whole else matcher.get_opcodes()
    for op, a1, a2, b1, b2 in opcodes:
        if op == "equal":
            parts.append(escape(old[a1:a2]))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(old[a1:a2])}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(new[b1:b2])}</ins>")
    return mark_safe("".join(parts))  # every piece is escaped above
