"""Who may do what, in one place: the actions each role grants, and on which entities.

An assignment without an entity grants its role's actions everywhere; an assignment on an
entity grants them on that entity and every entity below it in the tree. Pages and the API ask
the same question: `Permissions.allows(action, entity_id)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from indicators.model import Entity
from mne.accounts.model import Role, User


class Action(StrEnum):
    READ_FRAMEWORK = "read_framework"  # strategies, objectives, indicators and their figures
    READ_REPORTS = "read_reports"
    COMPILE_REPORTS = "compile_reports"  # compile now, the scheduler's runs
    READ_RETURNS = "read_returns"  # returns, their values and review comments
    SUBMIT_RETURNS = "submit_returns"  # templates and uploads
    REVIEW_RETURNS = "review_returns"  # review queue, approve, send back
    REOPEN_PERIODS = "reopen_periods"
    EDIT_FRAMEWORK = "edit_framework"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"
    SEND_REMINDERS = "send_reminders"  # run the reminders now
    OWN_ACCOUNT = "own_account"  # signing out, one's own API tokens


EVERYONE = {Action.READ_FRAMEWORK, Action.READ_REPORTS, Action.OWN_ACCOUNT}

POLICY: dict[Role, frozenset[Action]] = {
    Role.ADMINISTRATOR: frozenset(Action),
    Role.EVALUATOR: frozenset(EVERYONE | {Action.READ_RETURNS, Action.REVIEW_RETURNS,
                                          Action.COMPILE_REPORTS}),
    Role.COORDINATOR: frozenset(EVERYONE | {Action.READ_RETURNS, Action.SUBMIT_RETURNS}),
    Role.VIEWER: frozenset(EVERYONE),
}

SCOPABLE_ROLES = frozenset({Role.COORDINATOR, Role.VIEWER})


def entity_subtree(session: Session, entity_id: int) -> set[int]:
    """`entity_id` and the ids of every entity below it."""
    children: dict[int | None, list[int]] = {}
    for child, parent in session.execute(select(Entity.id, Entity.parent_id)):
        children.setdefault(parent, []).append(child)
    found, pending = set(), [entity_id]
    while pending:
        current = pending.pop()
        if current not in found:
            found.add(current)
            pending.extend(children.get(current, []))
    return found


@dataclass
class Permissions:
    """What one user may do: for each action, None (everywhere) or the entity ids allowed."""

    grants: dict[Action, set[int] | None] = field(default_factory=dict)

    @classmethod
    def of(cls, session: Session, user: User | None) -> Permissions:
        """The permissions `user` holds (none for nobody or a deactivated user)."""
        permissions = cls()
        if user is None or not user.active:
            return permissions
        permissions._grant(Action.OWN_ACCOUNT, None)  # even before any role is granted
        for assignment in user.roles:
            scope = (None if assignment.entity_id is None
                     else entity_subtree(session, assignment.entity_id))
            for action in POLICY[assignment.role]:
                permissions._grant(action, scope)
        return permissions

    def _grant(self, action: Action, scope: set[int] | None) -> None:
        current = self.grants.get(action, set())
        self.grants[action] = None if current is None or scope is None else current | scope

    def allows(self, action: Action, entity_id: int | None = None) -> bool:
        """Whether the action is allowed on `entity_id`, or somewhere when it is None."""
        if action not in self.grants:
            return False
        scope = self.grants[action]
        return scope is None or entity_id is None or entity_id in scope

    def entities(self, action: Action) -> set[int] | None:
        """The entity ids the action is allowed on: None for all, empty for none."""
        return self.grants.get(action, set())

    def sees_unapproved_figures(self) -> bool:
        """Whether figures not yet approved count in what the user reads: only for those who
        read every return (administrators, evaluators); others read approved figures."""
        return self.entities(Action.READ_RETURNS) is None

    def scope(self, statement: Select, entity_column: ColumnElement, action: Action) -> Select:
        """`statement` narrowed to rows whose `entity_column` the action is allowed on."""
        allowed = self.entities(action)
        return statement if allowed is None else statement.where(entity_column.in_(allowed))
