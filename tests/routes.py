"""The application's routes with sample URL values, for tests that walk every route."""

from __future__ import annotations

from flask import url_for
from sqlalchemy import select

from indicators.model import Entity, Return, ReturnState, Strategy
from mne.accounts.model import ApiToken, User

SKIPPED_METHODS = {"HEAD", "OPTIONS"}
HOME_ENTITY = "POL"
SAMPLE_USER = "sample@test.example"


def routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every route the application serves."""
    return sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - SKIPPED_METHODS)


def arguments(app, endpoint: str) -> set[str]:
    """The URL variables of an endpoint."""
    return set(app.url_map._rules_by_endpoint[endpoint][0].arguments)


def samples(session) -> dict[str, object]:
    """A value for each URL variable, pointing at things of the home entity (the demonstration
    must be loaded, and a user SAMPLE_USER with an API token exist)."""
    home = session.scalars(select(Entity).where(Entity.code == HOME_ENTITY)).one()
    submitted = session.scalars(select(Return).where(Return.entity_id == home.id,
                                                     Return.state == ReturnState.SUBMITTED)).first()
    strategy = session.scalars(select(Strategy)).first()
    return {
        "code": strategy.code, "strategy": strategy.code, "return_id": submitted.id,
        "entity": home.code, "entity_code": home.code, "period": submitted.period,
        "user_id": session.scalars(select(User.id).where(User.email == SAMPLE_USER)).one(),
        "token_id": session.scalars(select(ApiToken.id)).first(),
        "filename": "mne.css",
    }


def url(app, endpoint: str, rule: str, values: dict[str, object]) -> str:
    """The address of `endpoint` filled with sample values; fails naming a missing sample."""
    needed = arguments(app, endpoint)
    missing = sorted(needed - set(values))
    assert not missing, f"{rule}: add a sample value for {missing} to tests/routes.py"
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in needed})
