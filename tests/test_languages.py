"""The interface's language: chosen on any page (and the log-in page), remembered for the user
and for an anonymous visitor's session; `?lang=` and the browser's language still choose; dates
and numbers written the way the language writes them; the core's messages translated outside a
request too (commands, scheduler)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import threading

import openpyxl
import pytest
from flask_babel import force_locale
from sqlalchemy import select

from indicators import i18n
from indicators.i18n import _, in_language, reader_language
from mne import create_app
from mne.accounts.model import User
from mne.scheduling import job_context, report_settings
from reports.archive import compile_and_issue
from reports.jobs import run_recorded
from reports.model import Notification
from tests.helpers import csrf_token_of, login
from tests.return_workbooks import fill

LOG_IN_ZH = "登录"


def choose(client, language: str, page: str = "/login"):
    return client.post("/language", data={"language": language, "next": page,
                                          "csrf_token": csrf_token_of(client, page)})


def text_of(client, path: str, **headers) -> str:
    return client.get(path, headers=headers).get_data(as_text=True)


def test_log_in_page_offers_the_languages_in_their_own_words(client):
    page = text_of(client, "/login")
    assert 'name="language" value="zh"' in page and "中文" in page and "English" in page
    assert '<html lang="en">' in page


@pytest.mark.parametrize("tag", ["zh", "zh-CN", "zh_Hans", "zh-Hans-CN"])
def test_lang_parameter_chooses_chinese_however_it_is_written(client, tag):
    page = text_of(client, f"/login?lang={tag}")
    assert '<html lang="zh-Hans">' in page and LOG_IN_ZH in page


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9,en;q=0.5", "zh-Hans-CN", "fr, zh;q=0.5"])
def test_browser_language_chooses_chinese(client, header):
    assert LOG_IN_ZH in text_of(client, "/login", **{"Accept-Language": header})


def test_browser_language_we_lack_falls_back_to_the_default(client):
    assert '<html lang="en">' in text_of(client, "/login", **{"Accept-Language": "de-DE"})


def test_anonymous_choice_is_kept_for_the_session_and_through_log_in(client, make_user, db):
    response = choose(client, "zh")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert '<html lang="zh-Hans">' in text_of(client, "/login")
    email = make_user("evaluator")
    login(client, email)
    assert '<html lang="zh-Hans">' in text_of(client, "/", **{"Accept-Language": "en"})
    with db.sessions() as session:
        assert session.scalars(select(User.language).where(User.email == email)).one() == "zh"
    client.post("/logout", data={"csrf_token": csrf_token_of(client, "/")})
    assert '<html lang="zh-Hans">' in text_of(client, "/login"), "still Chinese after log-out"


def test_signed_in_choice_is_remembered_for_the_user_on_every_device(app, client_as, make_user):
    evaluator = client_as("evaluator")
    choose(evaluator, "zh", "/reports")
    assert '<html lang="zh-Hans">' in text_of(evaluator, "/reports")
    elsewhere = app.test_client()
    login(elsewhere, make_user("evaluator"))
    page = text_of(elsewhere, "/reports", **{"Accept-Language": "en-GB"})
    assert '<html lang="zh-Hans">' in page and "报告" in page
    choose(elsewhere, "en", "/reports")
    assert '<html lang="en">' in text_of(evaluator, "/reports")


def test_lang_parameter_wins_over_the_remembered_language(client_as):
    evaluator = client_as("evaluator")
    choose(evaluator, "zh", "/reports")
    assert '<html lang="en">' in text_of(evaluator, "/reports?lang=en")


def test_a_language_not_offered_is_refused(client):
    assert choose(client, "xx").status_code == 400


def test_selector_goes_back_to_the_page_it_was_used_on_and_never_elsewhere(client):
    assert choose(client, "zh", "/login?next=/reports").headers["Location"] == \
        "/login?next=/reports"
    response = client.post("/language", data={"language": "zh", "next": "https://evil.example/",
                                              "csrf_token": csrf_token_of(client)})
    assert response.headers["Location"] == "/"


def test_dates_and_numbers_are_written_the_way_the_language_writes_them(app):
    from mne.web import format_day, format_moment, format_number

    moment = dt.datetime(2026, 11, 30, 14, 5)
    with app.test_request_context("/?lang=zh"):
        assert format_day(moment.date()) == "2026年11月30日"
        assert format_moment(moment) == "2026年11月30日 14:05"
        assert format_number(1234567) == "1,234,567"
    with app.test_request_context("/?lang=en"):
        assert format_day(moment.date()) == "Nov 30, 2026"
        assert format_moment(moment, seconds=True) == "Nov 30, 2026 14:05:00"


def test_whole_numbers_are_written_as_babel_writes_them_in_every_language(app):
    from babel.numbers import format_decimal

    from mne.web import format_number

    values = [0, 0.5, 1.5, 2.5, 999.5, 1234, 1234.4, 99999.5, 10 ** 15, -3, -2.5, 12.25]
    for language in ("en", "zh"):
        with app.test_request_context(f"/?lang={language}"):
            for value in values:
                assert format_number(value, "count") == format_decimal(
                    value, format="#,##0", locale=language), (language, value)
            assert format_number(12.25, "percent") == "12.25"


def test_core_messages_follow_the_request_and_the_forced_locale(app):
    with app.app_context():
        assert _("on track") == "on track"
        with force_locale("zh"):
            assert _("on track") == "按计划"
            assert _("Progress report %(period)s", period="2026Q3") == "进展报告 2026Q3"
    with app.test_request_context("/?lang=zh"):
        assert _("on track") == "按计划" and reader_language() == "zh"


def in_a_thread(work):
    """`work()` run as a scheduled job runs: in a thread of its own, no Flask context at all."""
    results = []
    thread = threading.Thread(target=lambda: results.append(work()))
    thread.start()
    thread.join()
    return results[0]


def test_scheduled_work_speaks_the_configured_language(settings, monkeypatch):
    for installed in ("_translator", "_language"):  # put back after the test
        monkeypatch.setattr(i18n, installed, getattr(i18n, installed))
    app = create_app(dataclasses.replace(settings, default_locale="zh"))
    app.extensions["mne.database"].engine.dispose()
    assert in_a_thread(lambda: (_("at risk"), reader_language())) == ("有风险", "zh")


def test_work_can_be_given_a_language_of_its_own(app):
    def work():
        with in_language("zh"):
            chinese = _("Gap report %(period)s", period="2026Q3")
        return chinese, _("Gap report %(period)s", period="2026Q3")

    assert in_a_thread(work) == ("差距报告 2026Q3", "Gap report 2026Q3")


def test_a_report_compiled_in_chinese_is_written_in_chinese(db, demo, settings,
                                                            evaluator_client):
    with in_language("zh"), db.transaction() as session:
        issued = compile_and_issue(session, "progress", demo.strategy, "2026Q3",
                                   report_settings(settings), "evaluator")
    page = evaluator_client.get(
        f"/api/v1/reports/{issued.id}/file?format=html").get_data(as_text=True)
    assert '<html lang="zh">' in page and "数据来源" in page and "偏离轨道" in page
    assert "Noto Sans CJK SC" in page, "a CJK font named in the report's font stack"


def test_command_line_speaks_the_configured_language(config_file, run_mne, tmp_path):
    config_file.write_text(config_file.read_text(encoding="utf-8").replace(
        'default_locale = "en"', 'default_locale = "zh"'), encoding="utf-8")
    run_mne("init")
    not_a_workbook = tmp_path / "return.xlsx"
    not_a_workbook.write_text("entity,period\nPOL,2026Q3\n", encoding="utf-8")
    result = run_mne("import", str(not_a_workbook), check=False)
    assert result.returncode != 0 and "而不是 Excel 工作簿" in result.stderr


def test_command_line_sentences_and_start_up_failures_speak_the_configured_language(
        config_file, run_mne, tmp_path):
    config = config_file.read_text(encoding="utf-8").replace('default_locale = "en"',
                                                             'default_locale = "zh"')
    config_file.write_text(config, encoding="utf-8")
    assert "数据库已就绪" in run_mne("init").stdout
    no_strategy = run_mne("report", "progress", "-o", str(tmp_path / "progress.xlsx"),
                          check=False)
    assert no_strategy.returncode == 1
    assert "尚无战略：请先加载一个战略（mne demo）" in no_strategy.stderr
    config_file.write_text(config.replace("production = false", "producton = true"),
                           encoding="utf-8")
    misspelt = run_mne("init", check=False)
    assert misspelt.returncode == 2
    assert misspelt.stderr == (f"mne: {config_file}: 未知的键“web.producton”；"
                               f"您是否指“web.production”？\n")


def upload(client, workbook: bytes, action: str = "submit") -> str:
    return client.post("/returns/of/AG/2026Q3", content_type="multipart/form-data", data={
        "csrf_token": csrf_token_of(client, "/returns/of/AG/2026Q3"), "action": action,
        "file": (io.BytesIO(workbook), "return.xlsx")}).get_data(as_text=True)


def test_a_chinese_template_imports_like_an_english_one_and_problems_speak_the_reader(
        app, client_as, make_user, small_strategy):
    chinese = client_as("coordinator", "AG")
    choose(chinese, "zh", "/returns")
    template = chinese.get("/returns/of/AG/2026Q3/template").data
    instructions = openpyxl.load_workbook(io.BytesIO(template)).worksheets[0]
    assert any("黄色单元格" in str(cell.value) for row in instructions.iter_rows()
               for cell in row)
    flawed = fill(template, {("C1", ""): -3})
    assert "计数不能为负数：-3。" in upload(chinese, flawed, "check")
    english = app.test_client()  # a colleague who reads English
    login(english, make_user("coordinator", "AG", email="colleague@test.example"))
    assert "A count cannot be negative: -3." in upload(english, flawed, "check")
    assert 'data-outcome="submitted"' in upload(chinese, fill(template))


def test_commands_are_given_a_language_with_lang(run_mne, small_strategy, tmp_path):
    template = tmp_path / "template.xlsx"
    written = run_mne("template", "--entity", "AG", "--period", "2026Q3", "-o", str(template),
                      "--lang", "zh")
    assert written.stdout == f"AG 2026Q3 的报表模板已写入 {template}\n"
    headings = [cell.value for cell in openpyxl.load_workbook(template)["Quantitative"][1]]
    assert headings[:2] == ["代码", "指标"]
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(fill(template.read_bytes(), {("C1", ""): -3}))
    in_chinese = run_mne("import", str(filled), "--dry-run", "--lang", "zh", check=False)
    assert "计数不能为负数：-3。" in in_chinese.stdout + in_chinese.stderr
    in_english = run_mne("import", str(filled), "--dry-run", check=False)
    assert "A count cannot be negative: -3." in in_english.stdout + in_english.stderr
    report = tmp_path / "progress.html"
    run_mne("report", "progress", "--strategy", "SMALL", "--period", "2026Q3", "--format",
            "html", "-o", str(report), "--lang", "zh")
    assert '<html lang="zh">' in report.read_text(encoding="utf-8")


def test_each_coordinator_is_reminded_in_their_own_language(app, db, settings, demo, make_user):
    """The scheduler runs in the application's process (`mne serve`, `mne scheduler`)."""
    chinese, english = make_user("coordinator", "PROS"), make_user("coordinator", "NCO")
    with db.transaction() as session:
        session.scalars(select(User).where(User.email == chinese)).one().language = "zh"
    run_recorded(job_context(settings, db), "reminders", dt.datetime(2026, 11, 23, 8, 0))
    with db.sessions() as session:
        subjects = {row.recipient: row.subject for row in session.scalars(
            select(Notification).where(Notification.period == "2026Q3"))}
    assert subjects[chinese] == "申报表逾期：PROS，2026Q3"
    assert subjects[english] == "Late return: PROS, 2026Q3"
