"""Sessions end for good: after log-out, a new password or deactivation, a copied cookie no
longer signs anyone in."""

from sqlalchemy import select

from mne.accounts.model import User
from tests.helpers import TEST_PASSWORD, csrf_token_of, login

SIGNED_IN_ONLY = "/api/v1/strategies"


def _signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def _copy_of_cookie(app, client):
    """Another client carrying the same session cookie, as a thief who copied it would."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get(SIGNED_IN_ONLY).status_code == 200
    return thief


def _user_id(db, email: str) -> int:
    with db.sessions() as session:
        return session.scalars(select(User.id).where(User.email == email)).one()


def test_a_copied_cookie_stops_working_after_log_out(app, make_user, db):
    user = _signed_in(app, make_user("viewer"))
    thief = _copy_of_cookie(app, user)
    user.post("/logout", data={"csrf_token": csrf_token_of(user, "/account")})
    assert user.get(SIGNED_IN_ONLY).status_code == 401
    assert thief.get(SIGNED_IN_ONLY).status_code == 401
    assert thief.get("/account").headers["Location"].startswith("/login")


def test_logging_out_ends_the_sessions_on_every_device(app, make_user, db):
    email = make_user("viewer")
    laptop, phone = _signed_in(app, email), _signed_in(app, email)
    laptop.post("/logout", data={"csrf_token": csrf_token_of(laptop, "/account")})
    assert phone.get(SIGNED_IN_ONLY).status_code == 401
    assert _signed_in(app, email).get(SIGNED_IN_ONLY).status_code == 200


def test_a_new_password_ends_the_sessions_signed_in_with_the_old_one(app, client_as,
                                                                      make_user, db):
    email = make_user("viewer")
    thief = _copy_of_cookie(app, _signed_in(app, email))
    admin = client_as("administrator")
    page = f"/admin/users/{_user_id(db, email)}"
    admin.post(f"{page}/password", data={"password": "a brand new password",
                                          "csrf_token": csrf_token_of(admin, page)})
    assert thief.get(SIGNED_IN_ONLY).status_code == 401
    assert login(app.test_client(), email, "a brand new password").status_code == 302


def test_an_administrator_who_sets_their_own_password_stays_signed_in(client_as, make_user,
                                                                      db):
    admin = client_as("administrator")
    page = f"/admin/users/{_user_id(db, make_user('administrator'))}"
    admin.post(f"{page}/password", data={"password": "a brand new password",
                                          "csrf_token": csrf_token_of(admin, page)})
    assert admin.get(SIGNED_IN_ONLY).status_code == 200


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(
        app, client_as, make_user, db):
    email = make_user("viewer")
    thief = _copy_of_cookie(app, _signed_in(app, email))
    admin = client_as("administrator")
    page = f"/admin/users/{_user_id(db, email)}"
    for active in ("0", "1"):
        admin.post(f"{page}/active", data={"active": active,
                                           "csrf_token": csrf_token_of(admin, page)})
    assert thief.get(SIGNED_IN_ONLY).status_code == 401
    assert _signed_in(app, email).get(SIGNED_IN_ONLY).status_code == 200


def test_a_cookie_from_before_session_versions_signs_nobody_in(app, make_user, db):
    """A cookie that names only the user (as before sessions had versions) is refused."""
    user_id = _user_id(db, make_user("viewer"))
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = str(user_id)
    assert client.get(SIGNED_IN_ONLY).status_code == 401


def _change_own_password(client, current: str, new: str):
    return client.post("/account/password", data={
        "current": current, "password": new, "csrf_token": csrf_token_of(client, "/account")})


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, make_user,
                                                                          db):
    email = make_user("viewer")
    here = _signed_in(app, email)
    thief = _copy_of_cookie(app, _signed_in(app, email))
    response = _change_own_password(here, TEST_PASSWORD, "a brand new password")
    assert response.headers["Location"] == "/account"
    assert "sessions on other devices have ended" in here.get("/account").get_data(as_text=True)
    assert here.get(SIGNED_IN_ONLY).status_code == 200
    assert thief.get(SIGNED_IN_ONLY).status_code == 401
    assert login(app.test_client(), email, "a brand new password").status_code == 302


def test_a_stolen_session_cannot_change_the_password_without_the_current_one(app, make_user,
                                                                             db):
    email = make_user("viewer")
    thief = _copy_of_cookie(app, _signed_in(app, email))
    _change_own_password(thief, "a guess at it", "the thief's password")
    assert "The current password is wrong." in thief.get("/account").get_data(as_text=True)
    assert login(app.test_client(), email).status_code == 302


def test_wrong_current_passwords_slow_down_log_ins_like_failed_log_ins(app, make_user, db):
    email = make_user("viewer")
    thief = _copy_of_cookie(app, _signed_in(app, email))
    for _attempt in range(5):
        _change_own_password(thief, "a guess at it", "the thief's password")
    _change_own_password(thief, TEST_PASSWORD, "the thief's password")
    assert "wait a moment" in thief.get("/account").get_data(as_text=True)
    assert login(app.test_client(), email).status_code == 429
