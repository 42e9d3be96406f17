"""Managing users, roles and API tokens, and checking a log-in against its rate limit.

Used alike by the command line and the administration pages; every change is recorded in the
audit trail within the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

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
    user.password_hash = hash_password(password)
    record(session, actor, "user.password", "user", user.email)


def set_active(session: Session, actor: str, user: User, active: bool) -> None:
    """Activate or deactivate a user; a deactivated user can neither sign in nor use tokens."""
    if user.active != active:
        record(session, actor, "user.active", "user", user.email,
               before={"active": user.active}, after={"active": active})
        user.active = active


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
    user: User | None
    message: str = ""


def _recent_failures(session: Session, column, value: str, since: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(
        column == value, LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)) or 0


def _throttled(session: Session, email: str, address: str, limits: LoginLimits) -> bool:
    since = utcnow() - limits.window
    return (_recent_failures(session, LoginAttempt.email, email, since) >= limits.per_account
            or _recent_failures(session, LoginAttempt.address, address, since)
            >= limits.per_address)


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


def authenticate(session: Session, email: str, password: str, address: str,
                 limits: LoginLimits) -> LoginResult:
    """Check a log-in: refused while the account or the address has too many recent failures,
    then the password; every attempt is kept (for the limit) and recorded in the audit trail.
    The caller commits, whatever the result."""
    email = normalise_email(email)
    if _throttled(session, email, address, limits):
        record(session, email, "login.throttled", "address", address)
        minutes = int(limits.window.total_seconds() // 60)
        return LoginResult(None, _("Too many failed log-ins for this account or from this "
                                   "address; wait %(minutes)s minutes and try again.",
                                   minutes=minutes))
    user = find_user(session, email)
    if not _password_matches(user, password) or not user.active:
        session.add(LoginAttempt(email=email, address=address, succeeded=False))
        record(session, email, "login.failed", "address", address)
        return LoginResult(None, _("The e-mail address or the password is wrong."))
    session.add(LoginAttempt(email=email, address=address, succeeded=True))
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
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
