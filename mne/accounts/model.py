"""Tables of users, role assignments, API tokens and log-in attempts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indicators.model import Base, Entity, _enum, utcnow


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    COORDINATOR = "coordinator"
    EVALUATOR = "evaluator"
    VIEWER = "viewer"


class User(Base):
    """A person who signs in; `password_hash` is an argon2id hash. A session cookie names the
    user and `session_version`: raising the version (log-out, new password, deactivation)
    ends every session signed in before, copied cookies included."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="RoleAssignment.id")
    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="ApiToken.id")

    # Flask-Login's user protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """What the session cookie keeps: the user and the version of their sessions."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        """End every session of this user (each must sign in again)."""
        self.session_version += 1


class RoleAssignment(Base):
    """A role a user holds, everywhere (no entity) or on one entity and its sub-entities."""

    __tablename__ = "role_assignment"
    __table_args__ = (UniqueConstraint("user_id", "role", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    role: Mapped[Role] = mapped_column(_enum(Role))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="roles")
    entity: Mapped[Entity | None] = relationship()

    def label(self) -> str:
        return f"{self.role.value}@{self.entity.code}" if self.entity else self.role.value


class ApiToken(Base):
    """A token a machine client sends as `Authorization: Bearer …`; only its sha256 is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), doc="first characters, to recognise it")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(back_populates="tokens")


class LoginAttempt(Base):
    """One log-in attempt, kept for the rate limit (shared by every process)."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
