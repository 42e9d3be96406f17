"""A reader who chooses 中文 on the log-in page reads the tracker in Chinese: the log-in page,
the dashboard, an indicator's page and the returns page, the framework's names, titles,
definitions and labels included (the demonstration gives them in Chinese too). The texts that
are the data rather than the interface (data sources, means of verification, baseline notes, the
answers entities sent) are set aside; what remains must be Chinese, codes and numbers aside."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess

import pytest
from sqlalchemy import select

from indicators.i18n import in_language
from indicators.model import (
    Category,
    DataValue,
    Dimension,
    Entity,
    Indicator,
    QualitativeScale,
    ScaleLevel,
    Strategy,
    Upload,
)
from mne.languages import LANGUAGES
from mne.scheduling import report_settings
from reports.archive import compile_and_issue, report_bytes
from tests.helpers import ROOT, TEST_PASSWORD

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "dashboard-zh.png"  # kept there with MNE_UPDATE_SCREENSHOTS=1
MOST_ENGLISH = 0.05
ENGLISH_WORD = re.compile(r"\b[A-Za-z][a-z]+(?:['’][a-z]+)?\b")
CHINESE_RUN = re.compile(r"[\u3400-\u9fff]+")
NOT_WORDS = re.compile(r"\S*@\S+|\b\S*\d\S*\b|https?://\S+")  # addresses, codes, numbers

FRAMEWORK_TEXTS = (  # the data's own words; names, titles, definitions and labels are counted
    Strategy.area, QualitativeScale.name, ScaleLevel.label, Entity.kind,
    Indicator.data_source, Indicator.verification, Indicator.baseline_note, Indicator.standard,
    DataValue.narrative, DataValue.evidence, DataValue.comment, DataValue.source_sheet,
    Upload.uploaded_by, Dimension.code, Category.code,
)
NAMES = ("mne", *LANGUAGES.values())  # the product's name; each language in its own words


@pytest.fixture
def framework_texts(db, demo) -> list[str]:
    """Every text of the demonstration's framework and answers, and the names that stay as
they are, longest first."""
    with db.sessions() as session:
        texts = {text for column in FRAMEWORK_TEXTS
                 for text in session.scalars(select(column).distinct()) if text}
    return sorted(texts | set(NAMES), key=len, reverse=True)


def english_share(text: str, framework_texts: list[str]) -> tuple[float, list[str]]:
    """The share of English words in `text` once the framework's texts, codes, numbers and
    addresses are set aside; a run of Chinese characters counts a word per two characters."""
    for known in framework_texts:
        text = text.replace(known, " ")
    text = NOT_WORDS.sub(" ", text)
    english = ENGLISH_WORD.findall(text)
    chinese = sum(math.ceil(len(run) / 2) for run in CHINESE_RUN.findall(text))
    return len(english) / max(1, len(english) + chinese), english


def assert_reads_chinese(page, framework_texts: list[str]) -> None:
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    share, english = english_share(page.locator("body").inner_text(), framework_texts)
    assert share < MOST_ENGLISH, f"{page.url}: {share:.1%} English: {sorted(set(english))}"


def test_a_reader_who_chooses_chinese_reads_every_page_in_chinese(
        page, demo, make_user, framework_texts, tmp_path):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/login")
    page.click("form.languages button[value=zh]")
    page.wait_for_selector("html[lang=zh-Hans]")
    assert_reads_chinese(page, framework_texts)
    page.fill("input[name=email]", make_user("evaluator"))
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("nav.session")

    page.click("nav.main >> text=仪表板")
    page.wait_for_selector("a.cell-link")
    assert_reads_chinese(page, framework_texts)
    page.screenshot(path=str(SCREENSHOT if os.environ.get("MNE_UPDATE_SCREENSHOTS")
                             else tmp_path / "dashboard-zh.png"))

    page.locator("tr.indicator td.name a").first.click()
    page.wait_for_selector("figure.trend-chart svg")
    assert_reads_chinese(page, framework_texts)

    page.click("nav.main >> text=申报表")
    page.wait_for_load_state()
    assert_reads_chinese(page, framework_texts)


@pytest.fixture
def cjk_font() -> None:
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True,
                            check=False) if shutil.which("fc-list") else None
    if not (listed and listed.stdout.strip()):
        pytest.skip("no CJK font is installed (make test installs fonts-noto-cjk where it can)")


def test_a_chinese_progress_report_prints_to_pdf_with_a_cjk_font(chromium, cjk_font, app, db,
                                                                 demo, settings):
    """The report as a reader prints it from the browser (the app translates the report)."""
    with in_language("zh"), db.transaction() as session:
        issued = compile_and_issue(session, "progress", demo.strategy, "2026Q3",
                                   report_settings(settings), "evaluator")
        html = report_bytes(issued, "html", settings.storage_folder).decode("utf-8")
    page = chromium.new_page()
    try:
        page.set_content(html)
        pdf = page.pdf()
    finally:
        page.close()
    fonts = {name.decode() for name in re.findall(rb"/FontName\s*/\w+\+([\w-]+)", pdf)}
    assert any(name.startswith("NotoSansCJK") for name in fonts), fonts


def test_the_chinese_pdf_report_embeds_a_cjk_font_and_reads_as_chinese(cjk_font, app, db,
                                                                         demo, settings):
    """The PDF the reports page and `mne report --format pdf` give, typeset by WeasyPrint."""
    pypdf = pytest.importorskip("pypdf")
    with in_language("zh"), db.transaction() as session:
        issued = compile_and_issue(session, "progress", demo.strategy, "2026Q3",
                                   report_settings(settings), "evaluator")
        pdf = pypdf.PdfReader(io.BytesIO(report_bytes(issued, "pdf", settings.storage_folder)))
    fonts = {font["/BaseFont"] for page in pdf.pages[:2]
             for font in page["/Resources"]["/Font"].values()
             if "/BaseFont" in font.get_object()}
    assert any("CJK" in name or "WenQuanYi" in name for name in fonts), fonts
    first_page = pdf.pages[0].extract_text()
    assert "进展报告" in first_page and "偏离轨道" in first_page, first_page[:300]
