"""Length limits of what people type, shared by the forms, the API and the admin.

One place, so that a text the page accepts is never refused by the API or the other way
round. The limits are in characters after line breaks are normalised (pilot.text_input).
"""

# 本期工作进展, 下步工作计划, 存在问题及需协调事项: about ten printed pages each.
UPDATE_TEXT_MAX_LENGTH = 20_000

# The office's 审核意见 and a lead unit's 退回意见.
COMMENT_MAX_LENGTH = 2_000

# Model field -> limit, for the model forms of the admin.
MODEL_TEXT_LIMITS = {
    "work_done": UPDATE_TEXT_MAX_LENGTH,
    "next_steps": UPDATE_TEXT_MAX_LENGTH,
    "problems": UPDATE_TEXT_MAX_LENGTH,
    "comment": COMMENT_MAX_LENGTH,
}
