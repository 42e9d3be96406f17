"""The audit trail: every change with who, when, before and after; filtered; exported safely."""

import csv
import datetime as dt
import io

import openpyxl
from sqlalchemy import select

from indicators.audit import (
    ACTION_WORDS,
    SUBJECT_WORDS,
    AuditEvent,
    record,
    record_value_changes,
)
from indicators.model import DataValue, Target
from indicators.values import ValueKey, record_value
from tests.helpers import add_user_on_page, csrf_token_of


def _change_a_value(db, actor: str, new_value: float) -> tuple[str, float]:
    with db.transaction() as session:
        value = session.scalars(select(DataValue).where(DataValue.value.is_not(None))
                                .order_by(DataValue.id)).first()
        key = ValueKey(value.indicator_id, value.entity_id, value.period, value.disaggregation)
        old = value.value
        changes = record_value(session, key, value=new_value, return_id=value.return_id)
        record_value_changes(session, actor, changes)
        return value.indicator.code, old


def test_audit_page_lists_before_and_after_of_a_changed_value(client_as, demo, db):
    code, old = _change_a_value(db, "coordinator@police.example", 4321.0)
    page = client_as("administrator").get("/audit?action=value").get_data(as_text=True)
    assert "coordinator@police.example" in page
    assert code in page
    assert f"<del>{old}</del> → <ins>4321.0</ins>" in page


def test_user_and_role_changes_made_on_the_pages_are_recorded(client_as, demo, db):
    admin = client_as("administrator")
    user_id = add_user_on_page(admin, db, "dora@police.example")
    admin.post(f"/admin/users/{user_id}/roles", data={
        "role": "coordinator", "entity": "POL",
        "csrf_token": csrf_token_of(admin, f"/admin/users/{user_id}")})
    page = admin.get("/audit?subject=dora@police.example").get_data(as_text=True)
    assert 'data-action="user.add"' in page and 'data-action="role.grant"' in page
    assert "<ins>coordinator@POL</ins>" in page
    assert "<td>user added</td>" in page and "<td>role granted</td>" in page


def test_every_action_the_demonstration_records_is_named_in_words_in_english_and_chinese(
        client_as, demo, db):
    with db.sessions() as session:
        recorded = set(session.scalars(select(AuditEvent.action).distinct()))
        subjects = set(session.scalars(select(AuditEvent.subject_type).distinct()))
    assert recorded and recorded <= ACTION_WORDS.keys()
    assert subjects and subjects <= SUBJECT_WORDS.keys()
    admin = client_as("administrator")
    for language, words in (("en", "return submitted"), ("zh", "报表已提交")):
        admin.post("/language", data={"language": language, "next": "/audit",
                                      "csrf_token": csrf_token_of(admin, "/audit")})
        page = admin.get("/audit").get_data(as_text=True)
        assert f"<td>{words}</td>" in page
        assert ('<td data-subject="return">' + ("报表" if language == "zh" else "return")) in page
        assert not any(f"<td>{code}</td>" in page for code in recorded)


def test_audit_filters_by_who_action_and_dates(client_as, db):
    with db.transaction() as session:
        record(session, "ana@example.org", "framework.edit", "indicator", "PU1")
        old = record(session, "bo@example.org", "framework.edit", "indicator", "PU2")
        old.at = dt.datetime(2025, 1, 10, 12)
    admin = client_as("administrator")
    by_actor = admin.get("/audit?actor=ana@").get_data(as_text=True)
    assert "PU1" in by_actor and "PU2" not in by_actor
    by_date = admin.get("/audit?since=2025-01-10&until=2025-01-10").get_data(as_text=True)
    assert "PU2" in by_date and "PU1" not in by_date
    assert admin.get("/audit?since=yesterday").status_code == 400


def test_only_administrators_read_the_audit_trail(client_as, db):
    for role in ("evaluator", "coordinator", "viewer"):
        client = client_as(role, "POL" if role == "coordinator" else None)
        assert client.get("/audit").status_code == 403
        assert client.get("/audit/export.csv").status_code == 403


HOSTILE = ("=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)",
           "\tcmd", "\rcmd")


def _hostile_events(db) -> None:
    with db.transaction() as session:
        for text in HOSTILE:
            record(session, text, "framework.edit", "indicator", text,
                   before={"name": "old"}, after={"name": text})


def test_csv_export_neutralises_formulas(client_as, db):
    _hostile_events(db)
    response = client_as("administrator").get("/audit/export.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["at", "actor", "action"]
    cells = [cell for row in rows[1:] for cell in row]
    assert {"'" + text for text in HOSTILE} <= set(cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))
                and not cell[:4].isdigit()]


def test_xlsx_export_neutralises_formulas(client_as, db):
    _hostile_events(db)
    response = client_as("administrator").get("/audit/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert {"'" + text for text in HOSTILE} <= {cell.value for cell in cells}


def test_framework_edits_on_the_pages_are_recorded_with_before_and_after(client_as, demo,
                                                                         session):
    target = session.scalars(select(Target).order_by(Target.id)).first()
    admin = client_as("administrator")
    url = f"/admin/target/{target.id}"
    admin.post(url, data={"csrf_token": csrf_token_of(admin, url), "period": target.period,
                          "value": "999", "final": "no"})
    admin.post(f"{url}/delete", data={"csrf_token": csrf_token_of(admin, url)})
    page = admin.get("/audit?action=framework").get_data(as_text=True)
    assert 'data-action="framework.edit"' in page and 'data-action="framework.delete"' in page
    assert f"<del>{target.value}</del> → <ins>999.0</ins>" in page


def test_a_statistics_import_from_the_command_line_is_recorded(run_mne, session, tmp_path):
    source = tmp_path / "glotip-alb.csv"
    source.write_text(
        "Iso3_code,Country,Region,Subregion,Indicator,Dimension,Category,Sex,Age,Year,Unit "
        "of measurement,txtVALUE,Source\n"
        "ALB,Albania,Europe,Southern Europe,Detected trafficking victims,Total,Total,Female,"
        "Total,2020,Counts,12,National authorities\n", encoding="utf-8")
    run_mne("init")
    result = run_mne("import-stats", str(source), "--mapping", "unodc", "--create-missing",
                     check=False)
    assert result.returncode == 0, result.stderr
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "statistics.import")).one()
    assert event.subject_id == "glotip-alb.csv" and event.after["added"] >= 1
