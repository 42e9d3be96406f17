"""Managing users, roles and API tokens, and checking a log-in, slowed down after failures.

Used alike by the command line and the administration pages; every change is recorded in the
audit trail within the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session, aliased

from indicators.audit import record
from indicators.errors import Invalid
from indicators.i18n import _
from indicators.model import Entity, utcnow
from mne.accounts.model import ApiToken, LoginAttempt, Role, RoleAssignment, User
from mne.accounts.permissions import SCOPABLE_ROLES
from mne.config import LoginLimits
from reports.notify import focal_point_address

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "mne_"
hasher = PasswordHasher()


class AccountError(Invalid):
    """A change to users, roles or tokens that cannot be made; the message says why."""


def hash_password(password: str) -> str:
    """An argon2id hash of `password`, refusing one that is too short."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password needs at least %(count)s characters.",
                             count=MIN_PASSWORD_LENGTH))
    return hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def user_by_email(session: Session, email: str) -> User:
    """The user with this e-mail address; AccountError when there is none."""
    user = find_user(session, email)
    if user is None:
        raise AccountError(_("No user has the e-mail address %(email)s.", email=email))
    return user


def add_user(session: Session, actor: str, email: str, name: str, password: str) -> User:
    """Create an active user."""
    email = normalise_email(email)
    if "@" not in email:
        raise AccountError(_("%(email)s is not an e-mail address.", email=email))
    if find_user(session, email) is not None:
        raise AccountError(_("A user with the e-mail address %(email)s exists already.",
                             email=email))
    user = User(email=email, name=name.strip() or email, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    record(session, actor, "user.add", "user", email, after={"name": user.name, "active": True})
    return user


def set_password(session: Session, actor: str, user: User, password: str) -> None:
    """Give `user` a new password; every session signed in with the old one ends."""
    user.password_hash = hash_password(password)
    user.end_sessions()
    record(session, actor, "user.password", "user", user.email)


def change_own_password(session: Session, user: User, current: str, password: str,
                        address: str, limits: LoginLimits) -> None:
    """A user's new password, given their current one (a stolen session alone cannot change
    it); their sessions end. A wrong current password counts as a failed log-in, and is not
    checked while log-ins to the account must wait (keep the attempt: commit even after an
    AccountError)."""
    now = utcnow()
    if _login_wait(session, user.email, address, limits, now):
        raise AccountError(_("Too many failed log-ins for this account or from this address: "
                             "wait a moment and try again."))
    if not _password_matches(user, current):
        _record_failure(session, user.email, address, now)
        raise AccountError(_("The current password is wrong."))
    set_password(session, user.email, user, password)


def set_active(session: Session, actor: str, user: User, active: bool) -> None:
    """Activate or deactivate a user; a deactivated user can neither sign in nor use tokens,
    and their sessions end."""
    if user.active != active:
        record(session, actor, "user.active", "user", user.email,
               before={"active": user.active}, after={"active": active})
        user.active = active
        user.end_sessions()


def find_entity(session: Session, code: str) -> Entity | None:
    return session.scalars(select(Entity).where(Entity.code == code)).first()


def entity_by_code(session: Session, code: str) -> Entity:
    """The entity with this code; AccountError when there is none."""
    entity = find_entity(session, code)
    if entity is None:
        raise AccountError(_("No entity has the code %(code)s.", code=code))
    return entity


def reminder_recipients(session: Session, entity: Entity) -> list[str]:
    """Where a reminder about `entity`'s late return goes: its focal-point address and every
    active coordinator whose role covers it (a role on the entity or on one above it)."""
    covering, above = [], entity
    while above is not None:
        covering.append(above.id)
        above = above.parent
    coordinators = session.scalars(
        select(User.email).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.role == Role.COORDINATOR, RoleAssignment.entity_id.in_(covering),
            User.active))
    return sorted({*focal_point_address(session, entity), *coordinators})


def reviewer_addresses(session: Session) -> list[str]:
    """Where a reminder about a return waiting for review goes: every active evaluator."""
    return sorted(set(session.scalars(
        select(User.email).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.role == Role.EVALUATOR, User.active))))


def _assignment(user: User, role: Role, entity: Entity | None) -> RoleAssignment | None:
    entity_id = entity.id if entity else None
    return next((item for item in user.roles
                 if item.role is role and item.entity_id == entity_id), None)


def _role_label(role: Role, entity: Entity | None) -> str:
    return f"{role.value}@{entity.code}" if entity else role.value


def grant_role(session: Session, actor: str, user: User, role: Role,
               entity: Entity | None = None) -> RoleAssignment:
    """Give `user` a role, everywhere or on `entity` and its sub-entities."""
    if entity is None and role is Role.COORDINATOR:
        raise AccountError(_("A coordinator works for an entity: name it (--entity CODE)."))
    if entity is not None and role not in SCOPABLE_ROLES:
        raise AccountError(_("The %(role)s role applies to every entity; grant it without "
                             "an entity.", role=role.value))
    existing = _assignment(user, role, entity)
    if existing is not None:
        return existing
    before = [item.label() for item in user.roles]
    assignment = RoleAssignment(role=role, entity=entity)
    user.roles.append(assignment)
    session.flush()
    record(session, actor, "role.grant", "user", user.email, before={"roles": before},
           after={"roles": before + [_role_label(role, entity)]})
    return assignment


def revoke_role(session: Session, actor: str, user: User, role: Role,
                entity: Entity | None = None) -> None:
    """Take a role away from `user`."""
    existing = _assignment(user, role, entity)
    if existing is None:
        raise AccountError(_("%(email)s does not hold the role %(role)s.", email=user.email,
                             role=_role_label(role, entity)))
    before = [item.label() for item in user.roles]
    user.roles.remove(existing)
    session.flush()
    record(session, actor, "role.revoke", "user", user.email, before={"roles": before},
           after={"roles": [item.label() for item in user.roles]})


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, actor: str, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for `user`: the stored record and the token itself, which is shown
    this once and never kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record_ = ApiToken(user=user, name=name.strip() or "token", token_hash=_token_hash(token),
                       prefix=token[:12])
    session.add(record_)
    session.flush()
    record(session, actor, "token.create", "user", user.email,
           after={"token": record_.id, "name": record_.name, "prefix": record_.prefix})
    return record_, token


def revoke_token(session: Session, actor: str, token: ApiToken) -> None:
    """Revoke a token: it is refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(session, actor, "token.revoke", "user", token.user.email,
               before={"token": token.id, "name": token.name, "prefix": token.prefix})


def token_owner(session: Session, token: str) -> User | None:
    """The active user a valid, unrevoked token belongs to (its last use noted), or None."""
    found = session.scalars(select(ApiToken).where(ApiToken.token_hash == _token_hash(token),
                                                   ApiToken.revoked_at.is_(None))).first()
    if found is None or not found.user.active:
        return None
    found.last_used_at = utcnow()
    return found.user


@dataclass(frozen=True)
class LoginResult:
    """A user signed in, or why not: `message`, or the seconds the log-in must wait first
    (`retry_after`)."""

    user: User | None
    message: str = ""
    retry_after: int = 0


@dataclass(frozen=True)
class Throttle:
    """An account or an address whose next log-in must wait after its recent failures."""

    key: str
    failures: int
    until: dt.datetime


@dataclass(frozen=True)
class Throttles:
    """The accounts and the addresses whose log-ins are slowed down now."""

    accounts: list[Throttle]
    addresses: list[Throttle]


def _throttles(session: Session, column, allowed: int, limits: LoginLimits, now: dt.datetime,
               key: str | None = None) -> list[Throttle]:
    """Values of `column` (e-mail address or network address), or only `key`, whose failures
    within the window make their next log-in wait. An account's failures count since its last
    successful log-in; an address's count whoever signed in from it since (else one account
    of one's own would clear them)."""
    later_success = aliased(LoginAttempt)
    query = select(column, func.count(), func.max(LoginAttempt.at)).where(
        LoginAttempt.succeeded.is_(False), LoginAttempt.at >= now - limits.window)
    if column is LoginAttempt.email:
        query = query.where(~exists().where(later_success.email == LoginAttempt.email,
                                            later_success.succeeded,
                                            later_success.at > LoginAttempt.at))
    if key is not None:
        query = query.where(column == key)
    query = query.group_by(column).having(func.count() >= allowed).order_by(column)
    found = [Throttle(value, failures, latest + limits.wait_after(failures, allowed))
             for value, failures, latest in session.execute(query)]
    return [throttle for throttle in found if throttle.until > now]


def login_throttles(session: Session, limits: LoginLimits) -> Throttles:
    """Every account and address whose log-ins are slowed down now (for administrators)."""
    now = utcnow()
    return Throttles(_throttles(session, LoginAttempt.email, limits.per_account, limits, now),
                     _throttles(session, LoginAttempt.address, limits.per_address, limits, now))


def _login_wait(session: Session, email: str, address: str, limits: LoginLimits,
                now: dt.datetime) -> dt.timedelta:
    """How long a log-in to `email` from `address` must wait now (zero: it may go ahead)."""
    throttles = (_throttles(session, LoginAttempt.email, limits.per_account, limits, now, email)
                 + _throttles(session, LoginAttempt.address, limits.per_address, limits, now,
                              address))
    return max((throttle.until - now for throttle in throttles), default=dt.timedelta(0))


@cache
def _decoy_hash() -> str:
    """A hash to check unknown accounts against, so that they take as long as known ones."""
    return hasher.hash(secrets.token_hex(16))


def _password_matches(user: User | None, password: str) -> bool:
    try:
        hasher.verify(user.password_hash if user else _decoy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def _record_failure(session: Session, email: str, address: str, now: dt.datetime) -> None:
    """Keep a failed log-in (for the delays) and record it in the audit trail."""
    session.add(LoginAttempt(email=email, address=address, succeeded=False, at=now))
    record(session, email, "login.failed", "address", address)


def authenticate(session: Session, email: str, password: str, address: str,
                 limits: LoginLimits) -> LoginResult:
    """Check a log-in. After repeated failures of the account or from the address it must
    wait (see LoginLimits): the password is not even checked before the time has passed, and
    the result says how long. Every checked attempt is kept (for the delays; those older than
    the window are forgotten) and recorded in the audit trail. The caller commits, whatever
    the result."""
    email, now = normalise_email(email), utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now - limits.window))
    wait = _login_wait(session, email, address, limits, now)
    if wait:
        record(session, email, "login.throttled", "address", address)
        return LoginResult(None, retry_after=math.ceil(wait.total_seconds()))
    user = find_user(session, email)
    if not _password_matches(user, password) or not user.active:
        _record_failure(session, email, address, now)
        return LoginResult(None, _("The e-mail address or the password is wrong."))
    session.add(LoginAttempt(email=email, address=address, succeeded=True, at=now))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = now
    record(session, email, "login", "address", address)
    return LoginResult(user)


DEMO_USERS = (
    ("admin@example.org", "Demo administrator", "admin-demo", Role.ADMINISTRATOR, None),
    ("coordinator@example.org", "Demo coordinator (National Police)", "coordinator-demo",
     Role.COORDINATOR, "POL"),
    ("evaluator@example.org", "Demo evaluator", "evaluator-demo", Role.EVALUATOR, None),
    ("viewer@example.org", "Demo viewer", "viewer-demo", Role.VIEWER, None),
)


def ensure_demo_users(session: Session, actor: str) -> list[str]:
    """One demonstration user per role (see the README); returns the e-mail addresses of
    those created now."""
    created = []
    for email, name, password, role, entity_code in DEMO_USERS:
        user = find_user(session, email)
        if user is None:
            user = add_user(session, actor, email, name, password)
            created.append(email)
        entity = entity_by_code(session, entity_code) if entity_code else None
        grant_role(session, actor, user, role, entity)
    return created
