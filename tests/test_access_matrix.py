"""Every page and API route, every role: the expected allow or deny.

The routes are read from the application's URL map, so a route added later is covered at once;
a route that declares no access rule, or whose URL needs a value this module cannot supply,
fails here until it is declared (mne.accounts.guard.requires / public) and a sample is added.
"""

import json

import pytest

from mne.accounts.guard import PUBLIC, required_action
from mne.accounts.permissions import Action
from tests.helpers import csrf_token_of
from tests.routes import (
    HOME_ENTITY,
    SAMPLE_USER,
    add_sample_report,
    add_sample_upload,
    names_an_entity,
    routes,
    samples,
    url,
)

ALL = {"administrator", "coordinator", "evaluator", "viewer"}
# The words: administrator (everything), coordinator (uploads and reads the returns of
# their entities), evaluator (reads everything, reviews returns), viewer (reads approved figures
# and reports).
EXPECTED = {
    PUBLIC: ALL | {"anonymous"},
    Action.READ_FRAMEWORK: ALL,
    Action.READ_REPORTS: ALL,
    Action.COMPILE_REPORTS: {"administrator", "evaluator"},
    Action.OWN_ACCOUNT: ALL,
    Action.READ_RETURNS: {"administrator", "coordinator", "evaluator"},
    Action.SUBMIT_RETURNS: {"administrator", "coordinator"},
    Action.REVIEW_RETURNS: {"administrator", "evaluator"},
    Action.REOPEN_PERIODS: {"administrator"},
    Action.EDIT_FRAMEWORK: {"administrator"},
    Action.MANAGE_USERS: {"administrator"},
    Action.READ_AUDIT: {"administrator"},
    Action.SEND_REMINDERS: {"administrator"},
}
ENTITY_SCOPED = {Action.READ_RETURNS, Action.SUBMIT_RETURNS}
OTHER_ENTITY = "CUS"


def test_every_route_declares_its_access_rule(app):
    undeclared = sorted({endpoint for endpoint, _rule, _method in routes(app)
                         if required_action(app, endpoint) is None})
    assert undeclared == [], "declare @requires(Action...) or @public on these views"


def test_a_route_without_a_rule_is_closed(app, client_as):
    app.add_url_rule("/undeclared", "undeclared", lambda: "open")
    assert client_as("administrator").get("/undeclared").status_code == 403


def _denied(response, path: str) -> bool:
    if response.status_code == 403:
        return True
    if path.startswith("/api/"):
        return response.status_code == 401
    return response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


def _strict_json(response) -> bool:
    """Whether an API answer is JSON a strict reader takes (no NaN or Infinity), or a file."""
    if response.mimetype != "application/json":
        return response.status_code < 400  # a download; an error is always JSON
    def refuse(constant: str):
        raise ValueError(constant)
    try:
        json.loads(response.get_data(as_text=True), parse_constant=refuse)
    except ValueError:
        return False
    return True


def _request(app, method: str, path: str, credentials):
    """The request as the browser (session cookie and CSRF token) or, under /api/, as a
    machine client (its token) of the user would send it; each on a fresh client, so that
    a refusal does not change the next request."""
    cookie, token, csrf = credentials
    client = app.test_client()
    if path.startswith("/api/"):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.open(path, method=method, headers=headers, json={})
    client.set_cookie("session", cookie)
    return client.open(path, method=method, data={"csrf_token": csrf})


def _credentials(app, client_as, token_for, who: str, role: str, entity: str | None):
    """(session cookie, API token, CSRF token) of a new user holding `role`; an anonymous
    visitor has the session and CSRF token the log-in page gives, and no API token."""
    client = app.test_client() if who == "anonymous" else client_as(role, entity)
    csrf = csrf_token_of(client, "/login")
    token = None if who == "anonymous" else token_for(role, entity)
    return client.get_cookie("session").value, token, csrf


@pytest.fixture
def matrix_data(db, settings, demo, make_user, token_for):
    make_user("viewer", email=SAMPLE_USER)
    token_for("viewer")
    with db.transaction() as session:
        add_sample_upload(session, settings.storage_folder)
        add_sample_report(session, settings)


@pytest.mark.parametrize("who", ["anonymous", "administrator", "coordinator", "evaluator",
                                 "viewer", "coordinator of another entity"])
def test_role_route_matrix(app, db, client_as, token_for, matrix_data, who):
    role = who.split()[0]
    entity = {"coordinator": HOME_ENTITY, "coordinator of another entity": OTHER_ENTITY}.get(who)
    credentials = _credentials(app, client_as, token_for, who, role, entity)
    with db.sessions() as session:
        values = samples(session)
    wrong = []
    # logging out ends the session every other request uses: it goes last
    for endpoint, rule, method in sorted(routes(app),
                                         key=lambda route: route[0] == "accounts.logout"):
        action = required_action(app, endpoint)
        address = url(app, endpoint, rule, values)
        allowed = role in EXPECTED[action]
        if entity == OTHER_ENTITY and action in ENTITY_SCOPED and names_an_entity(app,
                                                                                  endpoint):
            allowed = False  # the home entity's return or template, asked by another's coordinator
        response = _request(app, method, address, credentials)
        if address.startswith("/api/") and not _strict_json(response):
            wrong.append(f"{method} {address}: not JSON a strict reader accepts")
        if _denied(response, address) == allowed:
            expected = "allow" if allowed else "deny"
            wrong.append(f"{method} {address} ({action}): expected {expected}, "
                         f"got {response.status_code}")
    assert wrong == []
