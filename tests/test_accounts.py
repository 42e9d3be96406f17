"""Signing in and out: passwords, the rate limit, CSRF, cookies, tokens and the secret key."""

import datetime as dt
import re

import pytest
from sqlalchemy import select

from indicators.audit import AuditEvent
from mne import create_app
from mne.accounts import service
from mne.accounts.model import ApiToken, LoginAttempt, User
from mne.config import ConfigError, load_settings
from tests.helpers import TEST_PASSWORD, add_user_on_page, csrf_token_of, login, write_config


def test_anonymous_visitor_is_sent_to_the_log_in_page(client, db):
    response = client.get("/strategies/X")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/strategies/X")


def test_anonymous_api_call_is_told_to_authenticate(client, db):
    response = client.get("/api/v1/strategies")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert "Bearer" in response.get_json()["error"]


def test_user_logs_in_lands_where_they_were_going_and_logs_out(client, make_user, db):
    email = make_user("viewer")
    response = client.post("/login", data={"email": email.upper(), "password": TEST_PASSWORD,
                                           "next": "/api/v1/strategies",
                                           "csrf_token": csrf_token_of(client)})
    assert response.headers["Location"] == "/api/v1/strategies"
    assert client.get("/api/v1/strategies").status_code == 200
    token = csrf_token_of(client, "/account")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/strategies").status_code == 401


def test_log_in_never_redirects_to_another_site(client, make_user, db):
    response = client.post("/login", data={
        "email": make_user("viewer"), "password": TEST_PASSWORD,
        "next": "//evil.example/steal", "csrf_token": csrf_token_of(client)})
    assert response.headers["Location"] == "/"


def test_password_is_stored_as_argon2id_hash(client, make_user, session):
    email = make_user("viewer")
    stored = session.scalars(select(User.password_hash).where(User.email == email)).one()
    assert stored.startswith("$argon2id$") and TEST_PASSWORD not in stored


def test_log_in_form_without_csrf_token_is_refused(client, make_user, db):
    email = make_user("viewer")
    response = client.post("/login", data={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/api/v1/strategies").status_code == 401


def test_wrong_password_is_refused_and_audited(client, make_user, session):
    email = make_user("viewer")
    response = login(client, email, "not the password")
    assert response.status_code == 401
    assert "password is wrong" in response.get_data(as_text=True)
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor == email)).all()
    assert actions == ["login.failed"]


@pytest.fixture
def clock(monkeypatch):
    """The log-in service's clock, stopped; `clock.advance(seconds)` moves it on."""

    class Clock:
        now = dt.datetime(2026, 11, 30, 9, 0)

        def advance(self, seconds: float) -> None:
            self.now += dt.timedelta(seconds=seconds)

    stopped = Clock()
    monkeypatch.setattr(service, "utcnow", lambda: stopped.now)
    return stopped


def test_five_wrong_passwords_slow_the_account_down_then_the_right_one_logs_in(
        client, make_user, session, clock):
    email = make_user("viewer")
    for _attempt in range(5):
        assert login(client, email, "guess").status_code == 401
    response = login(client, email)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "1"
    assert "wait 1 second and try again" in response.get_data(as_text=True)
    assert client.get("/api/v1/strategies").status_code == 401
    clock.advance(1)
    assert login(client, email).status_code == 302
    assert client.get("/api/v1/strategies").status_code == 200
    assert "login.throttled" in session.scalars(select(AuditEvent.action)).all()


def test_the_wait_doubles_with_each_further_failure_up_to_the_maximum(client, make_user,
                                                                      clock):
    email = make_user("viewer")
    for _attempt in range(5):
        login(client, email, "guess")
    waits = []
    for _attempt in range(12):
        waits.append(int(login(client, email, "guess").headers["Retry-After"]))
        clock.advance(waits[-1])
        assert login(client, email, "guess").status_code == 401
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_a_wrong_password_during_the_wait_is_not_even_checked(client, make_user, clock):
    email = make_user("viewer")
    for _attempt in range(5):
        login(client, email, "guess")
    for _attempt in range(10):
        assert login(client, email, "guess").headers["Retry-After"] == "1"
    clock.advance(1)
    assert login(client, email).status_code == 302


def test_twenty_wrong_from_one_address_do_not_lock_other_accounts(app, make_user, clock):
    attacker, elsewhere = app.test_client(), app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for number in range(20):
        assert login(attacker, f"nobody{number}@test.example", "guess").status_code == 401
    email = make_user("viewer")
    assert login(elsewhere, email).status_code == 302
    assert login(attacker, email).status_code == 429
    clock.advance(1)
    assert login(attacker, email).status_code == 302


def test_administrator_sees_the_throttled_accounts_and_addresses(client_as, app, make_user,
                                                                clock):
    email = make_user("viewer")
    attacker = app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    for number in range(20):
        login(attacker, email if number < 5 else f"nobody{number}@test.example", "guess")
    page = client_as("administrator").get("/admin/users").get_data(as_text=True)
    assert re.search(rf'<tr class="throttled-account"><td>{re.escape(email)}</td><td>5</td>',
                     page)
    assert re.search(r'<tr class="throttled-address"><td>address 203\.0\.113\.9</td>'
                     r'<td>20</td>', page)


def test_no_log_in_is_slowed_down_before_the_failures_allowed(client_as):
    page = client_as("administrator").get("/admin/users").get_data(as_text=True)
    assert "No log-in is slowed down now." in page


def test_failures_older_than_the_window_do_not_count(client, make_user, db):
    email = make_user("viewer")
    with db.transaction() as session:
        for _attempt in range(5):
            session.add(LoginAttempt(email=email, address="127.0.0.1", succeeded=False,
                                     at=dt.datetime(2020, 1, 1)))
    assert login(client, email).status_code == 302


def test_deactivated_user_can_no_longer_log_in(client, make_user, db):
    email = make_user("viewer")
    with db.transaction() as session:
        session.scalars(select(User).where(User.email == email)).one().active = False
    assert login(client, email).status_code == 401


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user, db):
    response = login(client, make_user("viewer"))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(tmp_path, database_url, db):
    settings = load_settings(write_config(tmp_path, database_url, secure_cookies="true"))
    assert create_app(settings).config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("key", ["", "short", "x" * 40, "change-me-change-me-change-me-please"])
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, database_url, db,
                                                          monkeypatch, key):
    monkeypatch.setenv("MNE_SECRET_KEY", key)
    settings = load_settings(write_config(tmp_path, database_url, production="true"))
    with pytest.raises(ConfigError, match="MNE_SECRET_KEY"):
        create_app(settings)


def test_production_starts_with_a_strong_secret_key(tmp_path, database_url, db, monkeypatch):
    monkeypatch.setenv("MNE_SECRET_KEY", "4f9c1b7e2a6d8053c9e1f7a2b4d6c8e0f1a3b5c7")
    settings = load_settings(write_config(tmp_path, database_url, production="true"))
    assert create_app(settings).secret_key == "4f9c1b7e2a6d8053c9e1f7a2b4d6c8e0f1a3b5c7"


def test_mne_serve_refuses_to_start_in_production_without_a_key(run_mne, config_file,
                                                                monkeypatch):
    config_file.write_text(config_file.read_text().replace("production = false",
                                                           "production = true"))
    monkeypatch.delenv("MNE_SECRET_KEY", raising=False)
    result = run_mne("serve", check=False)
    assert result.returncode == 2
    assert "MNE_SECRET_KEY is not set" in result.stderr


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_cli_adds_a_user_grants_a_role_and_creates_a_token_the_api_accepts(run_mne, demo, app):
    run_mne("user", "add", "ana@police.example", "--name", "Ana", "--password",
            "a long password")
    granted = run_mne("user", "role", "ana@police.example", "coordinator", "--entity", "POL")
    assert "coordinator@POL" in granted.stdout
    created = run_mne("user", "token", "ana@police.example", "--name", "script")
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("mne_")
    client = app.test_client()
    assert client.get("/api/v1/strategies", headers=_bearer(token)).status_code == 200
    assert client.get("/api/v1/strategies", headers=_bearer(token + "x")).status_code == 401


def test_cli_refuses_a_coordinator_without_entity(run_mne, db):
    run_mne("user", "add", "bo@example.org", "--password", "a long password")
    result = run_mne("user", "role", "bo@example.org", "coordinator", check=False)
    assert result.returncode == 1
    assert "--entity" in result.stderr


def test_revoked_token_is_refused(client_as, app, db):
    client = client_as("viewer")
    page = client.post("/account/tokens", data={
        "name": "script", "csrf_token": csrf_token_of(client, "/account")})
    token = page.get_data(as_text=True).split('id="new-token">')[1].split("<")[0]
    api = app.test_client()
    assert api.get("/api/v1/strategies", headers=_bearer(token)).status_code == 200
    with db.transaction() as session:
        stored = session.scalars(select(ApiToken)).one()
        assert stored.last_used_at is not None and token not in stored.token_hash
        token_id = stored.id
    client.post(f"/account/tokens/{token_id}/revoke",
                data={"csrf_token": csrf_token_of(client, "/account")})
    assert api.get("/api/v1/strategies", headers=_bearer(token)).status_code == 401
    assert token not in client.get("/account").get_data(as_text=True)


def test_token_of_a_deactivated_user_is_refused(token_for, app, db):
    token = token_for("viewer")
    with db.transaction() as session:
        session.scalars(select(User)).one().active = False
    assert app.test_client().get("/api/v1/strategies", headers=_bearer(token)).status_code == 401


def test_cookie_session_cannot_post_to_the_api_without_csrf(client_as, demo):
    client = client_as("evaluator")
    response = client.post("/api/v1/returns/1/approve", json={})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]


def test_demo_users_hold_one_role_each_and_loading_again_changes_nothing(demo, db, client):
    from mne.accounts.service import DEMO_USERS, ensure_demo_users

    with db.transaction() as session:
        assert len(ensure_demo_users(session, "test")) == 4
    with db.transaction() as session:
        assert ensure_demo_users(session, "test") == []
        roles = {user.email: [item.label() for item in user.roles]
                 for user in session.scalars(select(User))}
    assert roles["coordinator@example.org"] == ["coordinator@POL"]
    assert roles["admin@example.org"] == ["administrator"]
    email, _name, password, _role, _entity = DEMO_USERS[2]
    assert login(client, email, password).status_code == 302


def test_administrator_deactivates_a_user_who_then_cannot_log_in(client_as, app, db):
    admin = client_as("administrator")
    user_id = add_user_on_page(admin, db, "eve@example.org")
    assert login(app.test_client(), "eve@example.org", "a long password").status_code == 302
    admin.post(f"/admin/users/{user_id}/active", data={
        "active": "0", "csrf_token": csrf_token_of(admin, f"/admin/users/{user_id}")})
    assert login(app.test_client(), "eve@example.org", "a long password").status_code == 401


def test_a_too_short_password_is_refused_with_the_reason(client_as, db):
    admin = client_as("administrator")
    response = admin.post("/admin/users", data={
        "email": "fay@example.org", "name": "Fay", "password": "short",
        "csrf_token": csrf_token_of(admin, "/admin/users")}, follow_redirects=True)
    assert "at least 10 characters" in response.get_data(as_text=True)


def test_user_text_reaches_the_pages_escaped(client_as, db):
    admin = client_as("administrator")
    add_user_on_page(admin, db, "gus@example.org", name="<script>alert(1)</script>")
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_user_without_a_role_sees_nothing_but_can_log_out(client, db, _test_password_hash):
    with db.transaction() as session:
        session.add(User(email="new@example.org", name="New", password_hash=_test_password_hash))
    assert login(client, "new@example.org").status_code == 302
    assert client.get("/").status_code == 403
    assert "No role yet" in client.get("/account").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token_of(client, "/account")})
    assert response.headers["Location"] == "/login"
