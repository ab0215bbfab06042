"""The Word documents rendered by LibreOffice: A4 pages, every heading shown, no text off the
type area, and the 28 × 22 grid of GB/T 9704-2012.

Needs ``soffice`` (Debian: libreoffice-writer-nogui) and poppler-utils. CI sets
``PILOT_REQUIRE_DOCUMENTS=1`` so that a missing LibreOffice fails the run instead of
skipping these tests. The 公文 fonts are not free: ``render/fonts.conf`` maps them to
Noto CJK SC (fonts-noto-cjk), whose characters have the same one-em width.
"""

import datetime
import html
import os
import re
import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm

from pilot.testing.february import build_february
from reports import exports
from reports.exports import common

pytestmark = [pytest.mark.django_db, pytest.mark.documents]

FONTS_CONF = Path(__file__).parent / "render" / "fonts.conf"
POINTS_PER_MM = 72 / 25.4
# The type area in PDF points (origin top left): 28 mm from the left, 26 mm from the right,
# 37 mm from the top, 35 mm from the bottom.
LEFT, RIGHT = 28 * POINTS_PER_MM, (210 - 26) * POINTS_PER_MM
TOP, BOTTOM = 37 * POINTS_PER_MM, (297 - 35) * POINTS_PER_MM
TOLERANCE = 2.0
# A closing mark may not start a line (GB/T 15834); LibreOffice then lets it hang into the
# right margin, as Word does with its default "allow punctuation to overflow". Its glyph
# box is one character wide, its ink less than half.
HANGING = "、，。；：！？）》”"
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)
PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)


@pytest.fixture
def soffice():
    path = shutil.which("soffice")
    if path is None or shutil.which("pdftotext") is None:
        message = "LibreOffice or poppler-utils missing (apt-get install libreoffice-writer-nogui"
        message += " fonts-noto-cjk poppler-utils)"
        if os.environ.get("PILOT_REQUIRE_DOCUMENTS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return path


def render(soffice: str, folder: Path, documents: dict[str, bytes]) -> dict[str, Path]:
    """Convert the .docx files to PDF with one LibreOffice run; return the PDFs by name."""
    for name, content in documents.items():
        (folder / f"{name}.docx").write_bytes(content)
    environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": str(folder)}
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{folder}/profile",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *[str(folder / f"{name}.docx") for name in documents],
        ],
        check=True,
        capture_output=True,
        env=environment,
        timeout=180,
    )
    return {name: folder / f"{name}.pdf" for name in documents}


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    assert "595.3 x 841.89 pts (A4)" in info.stdout.replace("595.304", "595.3")
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def words_by_page(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Return each page's words with their boxes (pdftotext -bbox)."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [(*map(float, m.groups()[:4]), html.unescape(m.group(5))) for m in WORD.finditer(page)]
        for page in PAGE.findall(out)
    ]


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _headings(content: bytes) -> list[str]:
    styles = {"Title", "Heading 1", "Heading 2"}
    return [p.text for p in Document(BytesIO(content)).paragraphs if p.style.name in styles]


def _is_page_number(text: str) -> bool:
    return re.fullmatch(r"[—\d]+", text) is not None


def test_rendered_documents_show_every_heading_inside_the_type_area(
    plan, personas, clock, soffice, tmp_path
):
    february = build_february(plan)
    documents = {
        "monthly": exports.build_monthly_document(programme=plan.programme, period=february),
        "summary": exports.build_summary_document(
            programme=plan.programme, as_of=datetime.date(2021, 3, 10)
        ),
        "notice": exports.build_urging_notice(
            programme=plan.programme, period=february, department=plan.finance
        ),
    }

    pdfs = render(soffice, tmp_path, documents)

    assert page_count(pdfs["notice"]) == 1
    for name, pdf in pdfs.items():
        assert 1 <= page_count(pdf) <= 10, name
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        for heading in _headings(documents[name]):
            assert _squeeze(heading) in _squeeze(text), (name, heading)
        for page in words_by_page(pdf):
            for x_min, y_min, x_max, y_max, word in page:
                right = RIGHT + TOLERANCE + (16 if word[-1] in HANGING else 0)
                assert x_min >= LEFT - TOLERANCE and x_max <= right, (name, word)
                if not _is_page_number(word):
                    assert y_min >= TOP - TOLERANCE and y_max <= BOTTOM + TOLERANCE, (name, word)


def test_a_page_holds_22_lines_of_28_characters_numbered_outside(plan, soffice, tmp_path):
    document = common.new_document()
    document.add_paragraph("国" * 28 * 30)

    pdf = render(soffice, tmp_path, {"grid": common.document_bytes(document)})["grid"]

    assert page_count(pdf) == 2
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [_squeeze(line) for line in layout.splitlines() if "国" in line]
    assert len(lines) == 22
    # The first line is indented two characters.
    assert [len(line) for line in lines] == [26] + [28] * 21
    first, second = words_by_page(pdf)
    odd = [w for w in first if _is_page_number(w[4])]
    even = [w for w in second if _is_page_number(w[4])]
    assert "".join(w[4] for w in odd) == "—1—"
    assert "".join(w[4] for w in even) == "—2—"
    # Odd pages number on the right, even pages on the left (outside edges).
    assert min(w[0] for w in odd) > Mm(105).pt
    assert max(w[2] for w in even) < Mm(105).pt
    # The numbers sit below the type area.
    assert min(w[1] for w in odd + even) > BOTTOM
