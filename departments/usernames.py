"""Readable usernames for department accounts: the pinyin of the unit's short name.

省商务厅 gives ``shangwu``, 省委网信办 ``wangxin``, 海南银保监局 ``yinbaojian``, 三亚市政府
``sanya``: the place prefix (省, 省委, 海南省, 海南) and the kind of body at the end (厅,
局, 市政府 …) say nothing that tells two units apart, so they are dropped, as people drop
them in speech. A suffix stays when dropping it would leave one character (省委外办 gives
``waiban``, not ``wai``).
"""

import re

from pypinyin import lazy_pinyin

PREFIXES = ("海南省", "省委", "海南", "省")
# Longest first: 管理局 before 局, 市政府 before 政府.
SUFFIXES = ("管理局", "办公室", "市政府", "县政府", "政府")
SUFFIXES += ("厅", "委", "局", "办", "部", "会", "县")
# Words pypinyin reads with the wrong sound of a polyphone (行 is háng in a bank's name).
READINGS = {"人行": "renhang", "支行": "zhihang", "银行": "yinhang"}
_READING = re.compile("|".join(map(re.escape, READINGS)))


def core_name(name: str) -> str:
    """Drop the place prefix and the kind of body from a unit's name, where that leaves 2+."""
    for prefix in PREFIXES:
        if name.startswith(prefix) and len(name) - len(prefix) >= 2:
            name = name[len(prefix) :]
            break
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            name = name[: -len(suffix)]
            break
    return name


def pinyin_username(name: str) -> str:
    """Return the toneless pinyin of the name's core, lower-case ASCII letters and digits only.

    Return an empty string when nothing of the name can be spelled that way.
    """
    text = _spell(core_name(name.strip()))
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _spell(core: str) -> str:
    """Spell the text in pinyin, taking the fixed readings of READINGS where they occur."""
    out, start = [], 0
    for match in _READING.finditer(core):
        out.extend(lazy_pinyin(core[start : match.start()]))
        out.append(READINGS[match.group()])
        start = match.end()
    out.extend(lazy_pinyin(core[start:]))
    return "".join(out)
