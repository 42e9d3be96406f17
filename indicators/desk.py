"""The coordinator's desk: every return the entities of a coordinator owe, where each stands in
words, and the reviewer's comments on those sent back. Who owes what by when, and the words,
come from `indicators.obligations`; the comments from `indicators.return_review`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.framework_texts import text_of
from indicators.model import Return, Strategy
from indicators.obligations import Calendar, Standing, desk_order, entity_standings
from indicators.return_review import ReviewDecision, feedback_for_period, standing_return
from indicators.vocabulary import ReturnStatus


@dataclass(frozen=True)
class DeskItem:
    """One return owed: its strategy, its standing, the revision in force (if any) and the
    decision that sent it back (if it was)."""

    strategy: Strategy
    standing: Standing
    in_force: Return | None
    feedback: ReviewDecision | None

    @property
    def comments(self) -> int:
        """How many comments the reviewer left: the overall note and one per value."""
        if self.feedback is None:
            return 0
        return bool(self.feedback.note) + len(self.feedback.comments)

    @property
    def in_words(self) -> str:
        return self.standing.in_words(self.comments)

    def to_dict(self) -> dict[str, Any]:
        """The item as the API gives it."""
        obligation = self.standing.obligation
        feedback = self.feedback
        return {
            "strategy": self.strategy.code, "entity": obligation.entity.code,
            "entity_name": text_of(obligation.entity, "name"), "period": obligation.period.code,
            "due_date": obligation.due_date.isoformat(), "status": self.standing.status.value,
            "in_words": self.in_words, "days_left": self.standing.days_left,
            "days_late": self.standing.days_late,
            "indicators": [indicator.code for indicator in obligation.indicators],
            "return_id": self.in_force.id if self.in_force else None,
            "revision": self.in_force.revision if self.in_force else None,
            "review_note": feedback.note if feedback else "",
            "review_comments": [
                {"indicator": comment.indicator.code, "disaggregation": comment.disaggregation,
                 "comment": comment.body} for comment in (feedback.comments if feedback else [])],
        }


def desk_item(session: Session, strategy: Strategy, standing: Standing) -> DeskItem:
    """`standing` with the return in force and the comments to act on."""
    obligation = standing.obligation
    in_force = (standing_return(session, strategy.id, obligation.entity.id,
                                obligation.period.code)
                if standing.status.received else None)
    feedback = (feedback_for_period(session, strategy.id, obligation.entity.id,
                                    obligation.period.code)
                if standing.status is ReturnStatus.SENT_BACK else None)
    return DeskItem(strategy, standing, in_force, feedback)


def coordinator_desk(session: Session, entity_ids: set[int] | None, calendar: Calendar,
                     as_of: dt.date) -> list[DeskItem]:
    """Every return the entities `entity_ids` (None: all) owe under the active strategies for
    the periods a coordinator's list shows, sent-back returns first (`desk_order`)."""
    items = [desk_item(session, strategy, standing)
             for strategy in session.scalars(select(Strategy).where(Strategy.active)
                                             .order_by(Strategy.code))
             for standing in entity_standings(session, strategy, entity_ids, calendar, as_of)]
    return sorted(items, key=lambda item: desk_order(item.standing))
