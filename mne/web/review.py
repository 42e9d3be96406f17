"""The review of returns: the evaluators' queue, one return with its values, warnings and
changes since the previous revision, approve / send back with comments, and reopening."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from indicators.evaluation import indicators_of, load_strategy
from indicators.model import Indicator, Return
from indicators.return_review import (
    Decision,
    ReviewDecision,
    ReviewError,
    ValueComment,
    approve,
    feedback_for_period,
    last_decision,
    reopen,
    return_values,
    review_queue,
    send_back,
)
from mne.accounts.guard import authorized_return, permissions, requires
from mne.accounts.permissions import Action
from mne.context import actor, database, session, settings
from mne.scheduling import notify_review

blueprint = Blueprint("review", __name__)
COMMENT_FIELD = "comment:"


def warnings_of(return_: Return) -> list[dict]:
    """The warnings found when the return was validated (each with its cell and message)."""
    return [problem for problem in (return_.validation or {}).get("problems", [])
            if problem.get("severity") == "warning"]


blueprint.add_app_template_global(warnings_of)


@blueprint.get("/review")
@requires(Action.REVIEW_RETURNS)
def queue():
    """Submitted returns waiting for a decision, oldest first, and the latest decisions."""
    decided = session().scalars(select(ReviewDecision).order_by(ReviewDecision.at.desc(),
                                                                ReviewDecision.id.desc())
                                .limit(30)).all()
    return render_template("review_queue.html", returns=review_queue(session()),
                           decided=decided)


def _indicators(ids: set[int]) -> dict[int, Indicator]:
    return {row.id: row for row in session().scalars(select(Indicator)
                                                    .where(Indicator.id.in_(ids)))}


@blueprint.get("/review/<int:return_id>")
@requires(Action.READ_RETURNS)
def return_page(return_id: int):
    """A return's values in framework order, warnings, changes since the previous revision and
    review comments; the decision buttons, above and below the values, for those who review."""
    found = authorized_return(return_id, Action.READ_RETURNS)
    values = return_values(session(), found)
    indicators = _indicators({key[0] for key in values})
    feedback = feedback_for_period(session(), found.strategy_id, found.entity_id, found.period)
    order = {indicator.id: position for position, indicator in
             enumerate(indicators_of(session(), load_strategy(session(), found.strategy.code)))}
    return render_template(
        "review_return.html", ret=found, values=sorted(values.items(), key=lambda item: (
            order.get(item[0][0], len(order)), indicators[item[0][0]].code, item[0][1])),
        indicators=indicators,
        warnings=warnings_of(found), feedback=feedback,
        approval=last_decision(session(), found, Decision.APPROVED),
        may_review=permissions().allows(Action.REVIEW_RETURNS),
        may_reopen=permissions().allows(Action.REOPEN_PERIODS))


def _decide(return_id: int, action: Action, decide) -> object:
    found = authorized_return(return_id, action)
    try:
        made = decide(found)
    except ReviewError as problem:
        session().rollback()
        flash(str(problem), "error")
    else:
        session().commit()
        notify_review(settings(), database(), session(), found, made)
    return redirect(url_for("review.return_page", return_id=return_id))


@blueprint.post("/review/<int:return_id>/approve")
@requires(Action.REVIEW_RETURNS)
def approve_return(return_id: int):
    """Approve the return: its entity-period is locked."""
    return _decide(return_id, Action.REVIEW_RETURNS,
                   lambda found: approve(session(), found, actor()))


def _value_comments() -> list[ValueComment]:
    comments = []
    for name, body in request.form.items():
        if name.startswith(COMMENT_FIELD) and body.strip():
            indicator_id, _colon, disaggregation = name[len(COMMENT_FIELD):].partition(":")
            if indicator_id.isdigit():
                comments.append(ValueComment(int(indicator_id), disaggregation, body))
    return comments


@blueprint.post("/review/<int:return_id>/send-back")
@requires(Action.REVIEW_RETURNS)
def send_back_return(return_id: int):
    """Send the return back to its coordinator with an overall comment and value comments."""
    return _decide(return_id, Action.REVIEW_RETURNS, lambda found: send_back(
        session(), found, actor(), request.form.get("note", ""), _value_comments()))


@blueprint.post("/review/<int:return_id>/reopen")
@requires(Action.REOPEN_PERIODS)
def reopen_return(return_id: int):
    """Reopen an approved entity-period, with a reason: uploads are accepted again."""
    return _decide(return_id, Action.REOPEN_PERIODS, lambda found: reopen(
        session(), found, actor(), request.form.get("reason", "")))


def comment_field(indicator_id: int, disaggregation: str) -> str:
    """The form field holding the comment on one value."""
    return f"{COMMENT_FIELD}{indicator_id}:{disaggregation}"


blueprint.add_app_template_global(comment_field)
