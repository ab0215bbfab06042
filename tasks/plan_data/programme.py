"""The metadata of 琼商服〔2020〕150号, which the document states in its body text.

Pure Python, like the parser: the fixture builder reads it without Django being set up.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

# The plain-text copy of the document that the parser reads.
SOURCE_TEXT = Path(__file__).with_name("qsf-2020-150.txt")


@dataclass(frozen=True)
class ProgrammeMeta:
    code: str
    title: str
    doc_number: str
    issuer: str
    issued_on: date
    starts_on: date
    ends_on: date
    tasks_due_on: date
    summary_starts_on: date | None
    summary_ends_on: date | None


HAINAN_SERVICE_TRADE_2020 = ProgrammeMeta(
    code="hainan-service-trade-2020",
    title="海南省全面深化服务贸易创新发展试点实施方案",
    doc_number="琼商服〔2020〕150号",
    issuer="海南省服务贸易创新发展联席会议办公室",
    issued_on=date(2020, 11, 6),
    # "全面深化试点期限为3年，自2020年8月2日起至2023年8月1日止。"
    starts_on=date(2020, 8, 2),
    ends_on=date(2023, 8, 1),
    # "117项试点任务应于2022年12月底前完成，2023年上半年为完善、提高、总结阶段。"
    tasks_due_on=date(2022, 12, 31),
    summary_starts_on=date(2023, 1, 1),
    summary_ends_on=date(2023, 6, 30),
)
