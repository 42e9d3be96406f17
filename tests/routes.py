"""The application's routes with sample URL values, for tests that walk every route."""

from __future__ import annotations

import io

import openpyxl
from flask import url_for
from sqlalchemy import select

from indicators.model import Entity, Indicator, Return, ReturnState, Strategy, Target, Upload
from indicators.storage import store_bytes
from mne.accounts.model import ApiToken, User
from mne.scheduling import report_settings
from reports.archive import compile_and_issue
from reports.model import CompiledReport, ReportKind

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
HOME_ENTITY = "POL"
SAMPLE_USER = "sample@test.example"
# query strings a route needs to answer with its content, by endpoint
QUERIES = {
    "api.return_template": f"?entity={HOME_ENTITY}&period=2026Q3",
    "api.export_tidy_csv": f"?entity={HOME_ENTITY}",
    "api.export_sdmx_csv": f"?entity={HOME_ENTITY}",
    "api.export_xlsx": f"?entity={HOME_ENTITY}",
}


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every route the application serves."""
    return sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - SKIPPED_METHODS)


def arguments(app, endpoint: str) -> set[str]:
    """The URL variables of an endpoint."""
    return set(app.url_map._rules_by_endpoint[endpoint][0].arguments)


def _submitted_return(session) -> Return:
    return session.scalars(select(Return).join(Entity).where(
        Entity.code == HOME_ENTITY, Return.state == ReturnState.SUBMITTED)).first()


def add_sample_upload(session, storage) -> None:
    """An upload (a blank workbook, kept in `storage`) that became the home entity's submitted
    return, for the routes that serve uploads."""
    workbook = io.BytesIO()
    openpyxl.Workbook().save(workbook)
    stored = store_bytes(storage, workbook.getvalue(), ".xlsx")
    session.add(Upload(sha256=stored.sha256, file_path=stored.relative_path,
                       original_name="sample.xlsx", size=stored.size, uploaded_by="sample",
                       return_id=_submitted_return(session).id))


def add_sample_report(session, settings) -> None:
    """A gap report of the demonstration's latest quarter, kept like any issued report."""
    strategy = session.scalars(select(Strategy)).first()
    compile_and_issue(session, ReportKind.GAPS, strategy.code, "2026Q3",
                      report_settings(settings), "sample")


def samples(session) -> dict[str, object]:
    """A value for each URL variable, pointing at things of the home entity (the demonstration
    must be loaded, a user SAMPLE_USER with an API token and the sample upload exist)."""
    home = session.scalars(select(Entity).where(Entity.code == HOME_ENTITY)).one()
    submitted = _submitted_return(session)
    strategy = session.scalars(select(Strategy)).first()
    return {
        "code": strategy.code, "strategy": strategy.code, "return_id": submitted.id,
        "entity": home.code, "entity_code": home.code, "period": submitted.period,
        "user_id": session.scalars(select(User.id).where(User.email == SAMPLE_USER)).one(),
        "token_id": session.scalars(select(ApiToken.id)).first(),
        "upload_id": session.scalars(select(Upload.id)
                                     .where(Upload.uploaded_by == "sample")).one(),
        "indicator_code": session.scalars(select(Indicator.code).order_by(Indicator.code)).first(),
        "kind": "target", "row_id": session.scalars(select(Target.id)).first(),
        "filename": "mne.css",
        "report_id": session.scalars(select(CompiledReport.id)).first(), "format": "xlsx",
    }


def names_an_entity(app, endpoint: str) -> bool:
    """Whether the sample address of `endpoint` names the home entity's data."""
    return bool({"return_id", "entity", "entity_code", "upload_id"} & arguments(app, endpoint)
                or "entity=" in QUERIES.get(endpoint, ""))


def url(app, endpoint: str, rule: str, values: dict[str, object]) -> str:
    """The address of `endpoint` filled with sample values (and the query it needs); fails
    naming a missing sample."""
    needed = arguments(app, endpoint)
    missing = sorted(needed - set(values))
    assert not missing, f"{rule}: add a sample value for {missing} to tests/routes.py"
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in needed}) + QUERIES.get(
            endpoint, "")
