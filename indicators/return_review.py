"""The review of submitted returns: approve (the entity-period is locked), send back with
comments overall and on individual values, reopen an approved period with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from indicators import aggregates
from indicators.audit import record
from indicators.errors import Conflict
from indicators.i18n import _
from indicators.locks import hold_entity_period
from indicators.model import (
    VALUE_FIELDS,
    Base,
    DataValue,
    DataValueHistory,
    Indicator,
    Return,
    ReturnState,
    _enum,
    utcnow,
)


class Decision(StrEnum):
    APPROVED = "approved"
    RETURNED = "returned"
    REOPENED = "reopened"


class ReviewDecision(Base):
    """What a reviewer (or an administrator reopening) decided about a return, and why."""

    __tablename__ = "review_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("return.id", ondelete="CASCADE"),
                                           index=True)
    decision: Mapped[Decision] = mapped_column(_enum(Decision))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="", doc="overall comment or reason")

    comments: Mapped[list[ReviewComment]] = relationship(
        back_populates="decision", order_by="ReviewComment.id", cascade="all, delete-orphan")


class ReviewComment(Base):
    """A reviewer's comment on one value of a returned return."""

    __tablename__ = "review_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("review_decision.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    disaggregation: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)

    decision: Mapped[ReviewDecision] = relationship(back_populates="comments")
    indicator: Mapped[Indicator] = relationship()


class ReviewError(Conflict):
    """A review step that cannot be taken; the message says why."""


class PeriodLocked(ReviewError):
    """An upload for an approved entity-period; the message says who can reopen it."""


@dataclass(frozen=True)
class ValueComment:
    """A comment on the value of `indicator_id` for breakdown `disaggregation` ("" = total)."""

    indicator_id: int
    disaggregation: str
    body: str


def standing_return(session: Session, strategy_id: int, entity_id: int,
                    period: str) -> Return | None:
    """The newest revision of an entity-period that was not rejected: the one in force."""
    return session.scalars(
        select(Return).where(Return.strategy_id == strategy_id, Return.entity_id == entity_id,
                             Return.period == period, Return.state != ReturnState.REJECTED)
        .order_by(Return.revision.desc()).limit(1)).first()


def supersede_earlier(session: Session, earlier: list[Return], by: Return) -> list[Return]:
    """Mark the revisions among `earlier` that stood (imported, not yet replaced) superseded by
    the newly imported revision `by`, each with its audit event; returns them."""
    replaced = [item for item in earlier if item.state.stands and item.revision < by.revision]
    for item in replaced:
        before, item.state = item.state, ReturnState.SUPERSEDED
        aggregates.mark_values_of_returns(session, [item.id])
        record(session, by.uploaded_by, "return.superseded", "return", _return_label(item),
               before={"state": before},
               after={"state": item.state, "superseded_by": by.revision})
    return replaced


def ensure_period_open(session: Session, strategy_id: int, entity_id: int, period: str) -> None:
    """Raise `PeriodLocked` when the entity-period's return in force is approved."""
    latest = standing_return(session, strategy_id, entity_id, period)
    if latest is None or latest.state is not ReturnState.APPROVED:
        return
    approval = last_decision(session, latest, Decision.APPROVED)
    raise PeriodLocked(_(
        "The return of %(entity)s for %(period)s was approved by %(who)s on %(date)s, so the "
        "period is locked and this upload was not imported. Only an administrator can reopen "
        "the period; ask one to reopen it, then upload again.",
        entity=latest.entity.code, period=period,
        who=approval.actor if approval else latest.uploaded_by or _("a reviewer"),
        date=(approval.at if approval else latest.uploaded_at).date().isoformat()))


def last_decision(session: Session, return_: Return,
                  *decisions: Decision) -> ReviewDecision | None:
    """The newest decision of one of `decisions` (any when none given) on a return."""
    statement = select(ReviewDecision).where(ReviewDecision.return_id == return_.id)
    if decisions:
        statement = statement.where(ReviewDecision.decision.in_(decisions))
    return session.scalars(
        statement.order_by(ReviewDecision.at.desc(), ReviewDecision.id.desc()).limit(1)).first()


def review_queue(session: Session) -> list[Return]:
    """Submitted returns that are the newest revision of their entity-period, oldest first."""
    newest = (select(Return.strategy_id, Return.entity_id, Return.period,
                     func.max(Return.revision).label("revision"))
              .group_by(Return.strategy_id, Return.entity_id, Return.period).subquery())
    return list(session.scalars(
        select(Return).join(newest, (Return.strategy_id == newest.c.strategy_id)
                            & (Return.entity_id == newest.c.entity_id)
                            & (Return.period == newest.c.period)
                            & (Return.revision == newest.c.revision))
        .where(Return.state == ReturnState.SUBMITTED)
        .order_by(Return.uploaded_at, Return.id)))


def _change_state(session: Session, return_: Return, actor: str, decision: Decision,
                  state: ReturnState, note: str) -> ReviewDecision:
    before = return_.state
    return_.state = state
    aggregates.mark_values_of_returns(session, [return_.id])
    made = ReviewDecision(return_id=return_.id, decision=decision, actor=actor, note=note)
    session.add(made)
    record(session, actor, f"return.{decision.value}", "return", _return_label(return_),
           before={"state": before}, after={"state": state, "note": note})
    return made


def _return_label(return_: Return) -> str:
    return f"{return_.entity.code} {return_.period} r{return_.revision}"


def _state_held(session: Session, return_: Return) -> ReturnState:
    """The return's state, read afresh while its entity-period is held: no upload imports (and
    supersedes it) until the decision is committed."""
    hold_entity_period(session, return_.strategy_id, return_.entity_id, return_.period)
    session.refresh(return_, ["state"])
    return return_.state


def approve(session: Session, return_: Return, actor: str) -> ReviewDecision:
    """Approve a submitted return: its entity-period is locked until reopened."""
    if _state_held(session, return_) is not ReturnState.SUBMITTED:
        raise ReviewError(_("Only a submitted return can be approved; this one is "
                            "%(state)s.", state=return_.state.label))
    return _change_state(session, return_, actor, Decision.APPROVED, ReturnState.APPROVED, "")


def send_back(session: Session, return_: Return, actor: str, note: str,
              comments: list[ValueComment]) -> ReviewDecision:
    """Return a submitted return to its coordinator with an overall note and value comments."""
    if _state_held(session, return_) is not ReturnState.SUBMITTED:
        raise ReviewError(_("Only a submitted return can be sent back; this one is "
                            "%(state)s.", state=return_.state.label))
    comments = [comment for comment in comments if comment.body.strip()]
    if not note.strip() and not comments:
        raise ReviewError(_("Say what needs correcting: write an overall comment or a "
                            "comment on a value."))
    made = _change_state(session, return_, actor, Decision.RETURNED, ReturnState.RETURNED,
                         note.strip())
    made.comments = [ReviewComment(indicator_id=comment.indicator_id,
                                   disaggregation=comment.disaggregation,
                                   body=comment.body.strip()) for comment in comments]
    for comment in made.comments:
        session.add(comment)
    return made


def reopen(session: Session, return_: Return, actor: str, reason: str) -> ReviewDecision:
    """Reopen the approved entity-period of `return_` (its newest revision), with a reason;
    the coordinator can upload again."""
    if _state_held(session, return_) is not ReturnState.APPROVED:
        raise ReviewError(_("Only an approved return can be reopened; this one is "
                            "%(state)s.", state=return_.state.label))
    if not reason.strip():
        raise ReviewError(_("Give the reason for reopening the period."))
    return _change_state(session, return_, actor, Decision.REOPENED, ReturnState.RETURNED,
                         reason.strip())


def feedback_for_period(session: Session, strategy_id: int, entity_id: int,
                        period: str) -> ReviewDecision | None:
    """The comments a coordinator has to act on: the decision that sent the entity-period's
    return in force back (or reopened it), with its value comments; None when there is none."""
    latest = standing_return(session, strategy_id, entity_id, period)
    if latest is None or latest.state is not ReturnState.RETURNED:
        return None
    return last_decision(session, latest, Decision.RETURNED, Decision.REOPENED)


ValueSlot = tuple[int, str]  # (indicator id, breakdown)


def return_values(session: Session, return_: Return) -> dict[ValueSlot, dict[str, Any]]:
    """The values a return brought, by (indicator id, breakdown), whether still current or
    since replaced by a later revision."""
    found: dict[ValueSlot, dict[str, Any]] = {}
    history = session.scalars(select(DataValueHistory)
                              .where(DataValueHistory.return_id == return_.id)
                              .order_by(DataValueHistory.superseded_at, DataValueHistory.id))
    current = session.scalars(select(DataValue).where(DataValue.return_id == return_.id))
    for row in [*history, *current]:
        found[row.indicator_id, row.disaggregation] = {
            name: getattr(row, name) for name in VALUE_FIELDS}
    return found
