"""The review of returns for machine clients: the queue, a return's review state, decisions."""

from __future__ import annotations

from flask import jsonify, request
from sqlalchemy import select

from indicators.model import Indicator, Return
from indicators.return_review import (
    ReviewDecision,
    ValueComment,
    approve,
    feedback_for_period,
    reopen,
    review_queue,
    send_back,
)
from mne.accounts.guard import authorized_return, requires
from mne.accounts.permissions import Action
from mne.api import blueprint
from mne.context import actor, database, session, settings
from mne.scheduling import notify_review


def _summary(found: Return) -> dict:
    return {"id": found.id, "entity": found.entity.code, "period": found.period,
            "revision": found.revision, "state": found.state.value,
            "uploaded_by": found.uploaded_by, "uploaded_at": found.uploaded_at.isoformat()}


def _decision(made: ReviewDecision | None) -> dict | None:
    if made is None:
        return None
    return {"decision": made.decision.value, "by": made.actor, "at": made.at.isoformat(),
            "note": made.note,
            "comments": [{"indicator": comment.indicator.code,
                          "disaggregation": comment.disaggregation, "comment": comment.body}
                         for comment in made.comments]}


@blueprint.get("/review/queue")
@requires(Action.REVIEW_RETURNS)
def review_queue_api():
    """Submitted returns waiting for review, oldest first."""
    return jsonify([_summary(found) for found in review_queue(session())])


@blueprint.get("/returns/<int:return_id>/review")
@requires(Action.READ_RETURNS)
def return_review(return_id: int):
    """A return's state and the comments its coordinator has to act on."""
    found = authorized_return(return_id, Action.READ_RETURNS)
    feedback = feedback_for_period(session(), found.strategy_id, found.entity_id, found.period)
    return jsonify({**_summary(found), "feedback": _decision(feedback)})


def _decide(return_id: int, action: Action, decide):
    found = authorized_return(return_id, action)
    made = decide(found, request.get_json(silent=True) or {})  # a ReviewError is a 409
    session().commit()
    notify_review(settings(), database(), session(), found, made)
    return jsonify({**_summary(found), "decision": _decision(made)})


@blueprint.post("/returns/<int:return_id>/approve")
@requires(Action.REVIEW_RETURNS)
def approve_api(return_id: int):
    """Approve a submitted return (its entity-period is locked)."""
    return _decide(return_id, Action.REVIEW_RETURNS,
                   lambda found, _body: approve(session(), found, actor()))


def _comments(found: Return, body: dict) -> list[ValueComment]:
    """`{"comments": [{"indicator": "PU1", "disaggregation": "", "comment": "…"}]}`"""
    codes = {item.get("indicator") for item in body.get("comments", [])}
    ids = dict(session().execute(select(Indicator.code, Indicator.id).where(
        Indicator.strategy_id == found.strategy_id, Indicator.code.in_(codes))).all())
    return [ValueComment(ids[item["indicator"]], item.get("disaggregation", ""),
                         item.get("comment", ""))
            for item in body.get("comments", []) if item.get("indicator") in ids]


@blueprint.post("/returns/<int:return_id>/send-back")
@requires(Action.REVIEW_RETURNS)
def send_back_api(return_id: int):
    """Send a submitted return back: `{"note": "…", "comments": [...]}`."""
    return _decide(return_id, Action.REVIEW_RETURNS, lambda found, body: send_back(
        session(), found, actor(), str(body.get("note", "")), _comments(found, body)))


@blueprint.post("/returns/<int:return_id>/reopen")
@requires(Action.REOPEN_PERIODS)
def reopen_api(return_id: int):
    """Reopen an approved entity-period: `{"reason": "…"}`."""
    return _decide(return_id, Action.REOPEN_PERIODS, lambda found, body: reopen(
        session(), found, actor(), str(body.get("reason", ""))))
