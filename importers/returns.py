"""Receiving a return: keep the file, read it, validate every cell, and import all or nothing.

1. The bytes are stored (by sha256) and an `Upload` recorded before anything is parsed.
2. What is not a usable return is refused with one sentence (`UploadOutcome.UNUSABLE`): not an
   .xlsx, damaged, too big, not a template, a template for another entity, period or an
   outdated framework; an upload for an approved entity-period is `REFUSED` (saying who can
   reopen it), one for an entity the sender may not send for is `FORBIDDEN`.
3. Every cell is validated (`importers.return_checks`).
4. Errors: a `Return` in state rejected keeps the problems; no value is touched.
5. No errors: in one transaction the values are written with their provenance (return, sheet,
   cell), replaced ones go to history, the return is submitted, the earlier imported revisions
   become superseded, and what changed against the values in force is recorded
   (`indicators.diffs`, kept in `Return.diff`). A revision replaces exactly the rows its
   template asks for (`ReturnForm.slots`): values of other indicators or breakdowns of the
   entity and period are never touched, and a breakdown category left empty is removed only
   with a warning. Identical bytes already received change nothing.
Returns for one entity-period are read and imported one at a time
(`indicators.locks.hold_entity_period`), so revisions form one chain however many arrive at once.
A dry run validates and reports without writing a return or a value.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from importers.problems import annotate_workbook
from importers.return_checks import CheckedValue, check_return
from importers.return_form import (
    IDENTITY,
    TEMPLATE_VERSION,
    ReturnForm,
    build_form,
    comparable_values,
)
from importers.sandbox import in_sandbox, read_workbook
from importers.workbook import Limits, SafeWorkbook, UnusableWorkbook
from indicators import problems
from indicators.aggregates import settle
from indicators.audit import record
from indicators.bulk import collector_paused
from indicators.diffs import Diff, IncomingValue, ValueSlot, revision_diff
from indicators.errors import MneError
from indicators.i18n import _
from indicators.locks import hold_entity_period
from indicators.model import (
    DataValue,
    Return,
    ReturnState,
    Upload,
    UploadOutcome,
    utcnow,
)
from indicators.periods import PeriodError, parse_period
from indicators.problems import ProblemError, ProblemReport
from indicators.return_review import PeriodLocked, ensure_period_open, supersede_earlier
from indicators.revision_audit import record_revision_values
from indicators.storage import read_stored, store_bytes
from indicators.values import ValueKey, credit_repeated, retire_values, write_values

LOG = logging.getLogger(__name__)
EXIT_CODES = {UploadOutcome.SUBMITTED: 0, UploadOutcome.DUPLICATE: 0, UploadOutcome.CHECKED: 0,
              UploadOutcome.REJECTED: 1, UploadOutcome.UNUSABLE: 2, UploadOutcome.REFUSED: 2,
              UploadOutcome.FORBIDDEN: 2}


@dataclass
class ReturnResult:
    """What became of one upload, for a page, the CLI or the API."""

    outcome: UploadOutcome
    message: str
    upload_id: int
    sha256: str
    return_id: int | None = None
    revision: int | None = None
    state: ReturnState | None = None
    strategy: str = ""
    entity: str = ""
    period: str = ""
    report: ProblemReport = field(default_factory=ProblemReport)
    diff: Diff | None = None

    @property
    def exit_code(self) -> int:
        """0 imported (or nothing to do), 1 rejected, 2 not a usable return."""
        if self.outcome is UploadOutcome.CHECKED and self.report.has_errors:
            return 1
        if self.outcome is UploadOutcome.DUPLICATE and self.state == ReturnState.REJECTED:
            return 1
        return EXIT_CODES[self.outcome]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outcome": str(self.outcome), "message": self.message, "upload_id": self.upload_id,
            "sha256": self.sha256, "return_id": self.return_id, "revision": self.revision,
            "state": self.state, "strategy": self.strategy, "entity": self.entity,
            "period": self.period, **self.report.to_dict(),
            "omissions": self.report.omissions(),
            "diff": self.diff.to_dict() if self.diff else None,
        }


class _Unusable(Exception):
    def __init__(self, outcome: UploadOutcome, message: str):
        super().__init__(message)
        self.outcome, self.message = outcome, message

    @classmethod
    def of(cls, kind: type[problems.ProblemType], outcome: UploadOutcome = UploadOutcome.UNUSABLE,
           **fields: str) -> _Unusable:
        """The upload stops with the catalogue's problem `kind`."""
        return cls(outcome, kind.message(**fields))


@dataclass(frozen=True)
class Expected:
    """What the page or caller expects the upload to be; empty fields accept anything.
    `allowed_entities`, when given, are the codes of the entities the sender may send for."""

    entity: str = ""
    period: str = ""
    strategy: str = ""
    allowed_entities: frozenset[str] | None = None
    drafts_until_period_end: dt.date | None = None  # today, when returns wait for period ends


@collector_paused()
def receive_return(sessions: Callable[[], Session], storage: Path, data: bytes, name: str,
                   uploaded_by: str, limits: Limits | None = None, dry_run: bool = False,
                   expected: Expected | None = None) -> ReturnResult:
    """Keep, read, validate and (unless `dry_run` or rejected) import one uploaded return."""
    upload = _record_upload(sessions, storage, data, name, uploaded_by)
    result = ReturnResult(UploadOutcome.RECEIVED, "", upload.id, upload.sha256)
    try:
        workbook = read_workbook(data, limits)
        identity = _identity(workbook, expected or Expected())
        _check_sender_may_send(identity, expected or Expected())
        early = not dry_run and _period_running(identity, expected or Expected())
        with sessions() as session, session.begin():
            _process(session, upload, workbook, identity, dry_run or early, result)
        if early:
            result.message = " ".join((_(
                "%(period)s has not ended yet, so this return was checked as a draft and not "
                "submitted; submit it once the period is over.", period=result.period),
                result.message))
    except UnusableWorkbook as problem:
        result.outcome, result.message = UploadOutcome.UNUSABLE, problem.message
    except _Unusable as problem:
        result.outcome, result.message = problem.outcome, problem.message
    except Exception as failure:  # noqa: BLE001 - whatever happens, the upload gets an outcome
        _failed(result, failure)
    _finish_upload(sessions, result)
    return result


def _failed(result: ReturnResult, failure: Exception) -> None:
    """The upload's outcome when processing it failed unexpectedly: unusable, nothing
    imported, the failure logged for the administrator under the upload's number."""
    LOG.error("upload %s failed", result.upload_id, exc_info=failure)
    result.outcome, result.return_id = UploadOutcome.UNUSABLE, None
    result.revision = result.state = result.diff = None
    result.report = ProblemReport()
    result.message = problems.ReadingFailed.problem(
        reason=_("upload %(id)s", id=result.upload_id)).message


def _record_upload(sessions: Callable[[], Session], storage: Path, data: bytes, name: str,
                   uploaded_by: str) -> Upload:
    suffix = Path(name).suffix.lower()
    stored = store_bytes(storage, data, suffix if suffix.isascii() and len(suffix) <= 6 else "")
    with sessions() as session, session.begin():
        upload = Upload(sha256=stored.sha256, file_path=stored.relative_path,
                        original_name=Path(name).name[:300], size=stored.size,
                        uploaded_by=uploaded_by[:200], uploaded_at=utcnow())
        session.add(upload)
        session.flush()
        session.expunge(upload)
    return upload


def _finish_upload(sessions: Callable[[], Session], result: ReturnResult) -> None:
    with sessions() as session, session.begin():
        upload = session.get(Upload, result.upload_id)
        upload.outcome, upload.message = result.outcome, result.message
        upload.return_id = result.return_id
        upload.validation = result.report.to_dict()


def _identity(workbook: SafeWorkbook, expected: Expected) -> dict[str, str]:
    if IDENTITY not in workbook.sheet_names:
        raise _Unusable.of(problems.NotATemplate)
    identity = {str(row[0]).strip(): str(row[1]).strip()
                for row in workbook.rows(IDENTITY) if len(row) >= 2 and row[0]}
    if identity.get("template_version") != TEMPLATE_VERSION:
        raise _Unusable.of(problems.OtherTemplateVersion)
    for part in ("entity", "period", "strategy"):
        wanted = getattr(expected, part)
        if wanted and identity.get(part, "").upper() != wanted.upper():
            raise _Unusable.of(problems.WrongReturn, entity=identity.get("entity", "?"),
                               period=identity.get("period", "?"),
                               strategy=identity.get("strategy", "?"), part=part, wanted=wanted)
    return identity


def _period_running(identity: dict[str, str], expected: Expected) -> bool:
    """Whether the return's period is still running on the day `expected` judges drafts on."""
    today = expected.drafts_until_period_end
    try:
        return today is not None and today <= parse_period(identity.get("period", "")).end
    except PeriodError:
        return False  # the form names the unreadable period


def _check_sender_may_send(identity: dict[str, str], expected: Expected) -> None:
    allowed = expected.allowed_entities
    entity = identity.get("entity", "")
    if allowed is not None and entity.upper() not in {code.upper() for code in allowed}:
        raise _Unusable.of(problems.SenderNotAllowed, UploadOutcome.FORBIDDEN, entity=entity,
                           allowed=", ".join(sorted(allowed)) or _("no entity"))


def _process(session: Session, upload: Upload, workbook: SafeWorkbook,
             identity: dict[str, str], dry_run: bool, result: ReturnResult) -> None:
    form = _form(session, identity)
    result.strategy, result.entity, result.period = (form.strategy.code, form.entity.code,
                                                     form.period.code)
    hold_entity_period(session, form.strategy.id, form.entity.id, form.period.code)
    returns = _returns_of(session, form)
    _refuse_duplicate(returns, upload.sha256, result)
    if result.outcome is UploadOutcome.DUPLICATE:
        return
    try:
        ensure_period_open(session, form.strategy.id, form.entity.id, form.period.code)
    except PeriodLocked as locked:
        raise _Unusable(UploadOutcome.REFUSED, str(locked)) from None
    current = _current_values(session, form)
    checked = check_return(workbook, form, comparable_values(session, form), current)
    result.report = checked.report
    in_force = next((item for item in reversed(returns) if item.state.stands), None)
    result.diff = revision_diff(_incoming(checked.values), current,
                                in_force.revision if in_force else None, checked.left_empty)
    if dry_run:
        result.outcome = UploadOutcome.CHECKED
        result.message = _check_message(checked.report)
        return
    revision = (returns[-1].revision if returns else 0) + 1
    rejected = checked.report.has_errors
    return_row = Return(
        strategy_id=form.strategy.id, entity_id=form.entity.id, period=form.period.code,
        revision=revision, state=ReturnState.REJECTED if rejected else ReturnState.SUBMITTED,
        upload_id=upload.id, validation=checked.report.to_dict(), diff=result.diff.to_dict(),
    )
    session.add(return_row)
    session.flush()
    record(session, upload.uploaded_by, f"return.{return_row.state.value}", "return",
           f"{form.entity.code} {form.period.code} r{revision}",
           after={"state": return_row.state, "revision": revision, "sha256": upload.sha256})
    result.return_id, result.revision, result.state = return_row.id, revision, return_row.state
    if rejected:
        result.outcome = UploadOutcome.REJECTED
        result.message = _(
            "Revision %(revision)s was rejected: %(errors)s errors, %(warnings)s warnings; "
            "nothing was imported. Correct the cells shown and upload the workbook again.",
            revision=revision, **checked.report.counts())
        return
    _import_values(session, form, return_row, checked.values, current)
    record_revision_values(session, upload.uploaded_by, return_row, form.entity.code, result.diff)
    supersede_earlier(session, returns, return_row)
    settle(session)  # the national series, while the session still holds the form's indicators
    result.outcome = UploadOutcome.SUBMITTED
    result.message = _(
        "Revision %(revision)s was imported and submitted: %(count)s values, %(warnings)s "
        "warnings.", revision=revision, count=len(checked.values),
        warnings=checked.report.counts()["warnings"])


def _form(session: Session, identity: dict[str, str]) -> ReturnForm:
    try:
        form = build_form(session, identity.get("entity", ""),
                          parse_period(identity.get("period", "")), identity.get("strategy", ""))
    except MneError as problem:
        raise _Unusable.of(problems.UnknownInTemplate, problem=problem.message) from None
    if identity.get("checksum") != form.checksum:
        raise _Unusable.of(problems.StaleTemplate, strategy=form.strategy.code,
                           entity=form.entity.code, period=form.period.code)
    return form


def _returns_of(session: Session, form: ReturnForm) -> list[Return]:
    return list(session.scalars(
        select(Return).where(Return.strategy_id == form.strategy.id,
                             Return.entity_id == form.entity.id,
                             Return.period == form.period.code)
        .order_by(Return.revision)))


def _refuse_duplicate(returns: list[Return], sha256: str, result: ReturnResult) -> None:
    same = next((item for item in returns if item.sha256 == sha256), None)
    if same is not None:
        result.outcome, result.return_id = UploadOutcome.DUPLICATE, same.id
        result.revision, result.state = same.revision, same.state
        result.report = ProblemReport.from_dict(same.validation)
        result.message = _("This file was already received as revision %(revision)s; nothing "
                           "changed.", revision=same.revision)


def _check_message(report: ProblemReport) -> str:
    if report.has_errors:
        return _("Checked, not imported: %(errors)s errors and %(warnings)s warnings to see to.",
                 **report.counts())
    return _("Checked, not imported: no errors, %(warnings)s warnings; the workbook can be "
             "submitted.", **report.counts())


def _current_values(session: Session, form: ReturnForm) -> dict[ValueSlot, DataValue]:
    """The values in force of the rows the form asks: those a revision replaces. Values of
    other indicators or breakdowns of the entity and period are not the form's to touch."""
    slots = form.slots
    statement = select(DataValue).where(
        DataValue.indicator_id.in_({indicator_id for indicator_id, _key in slots}),
        DataValue.entity_id == form.entity.id, DataValue.period == form.period.code)
    return {(value.indicator_id, value.disaggregation): value
            for value in session.scalars(statement)
            if (value.indicator_id, value.disaggregation) in slots}


def _incoming(values: list[CheckedValue]) -> list[IncomingValue]:
    return [IncomingValue(item.indicator.id, item.indicator.code, item.breakdown,
                          f"{item.sheet}!{item.cell}", item.fields) for item in values]


def _import_values(session: Session, form: ReturnForm, return_row: Return,
                   values: list[CheckedValue], current: dict[tuple[int, str], DataValue]) -> None:
    entity_id, period, return_id = form.entity.id, form.period.code, return_row.id
    rows = [
        (ValueKey(item.indicator.id, entity_id, period, item.breakdown),
         {**item.fields, "return_id": return_id, "source_sheet": item.sheet,
          "source_cell": item.cell})
        for item in values
    ]
    changes = write_values(session, rows)
    credit_repeated(session, dict(rows), changes.unchanged)
    kept = {(key.indicator_id, key.disaggregation) for key, _fields in rows}
    retire_values(session, [value for key, value in current.items() if key not in kept])


NOT_READ = {UploadOutcome.RECEIVED, UploadOutcome.UNUSABLE, UploadOutcome.REFUSED,
            UploadOutcome.FORBIDDEN}


def annotated_upload(storage: Path, record: Return | Upload) -> bytes:
    """A return's (or a checked upload's) workbook as received, with its problems marked (in
    the sandbox: the file is the sender's). An upload that never was a usable return has no
    cells to mark: `ProblemError` with its outcome's sentence."""
    if isinstance(record, Upload) and record.outcome in NOT_READ:
        raise ProblemError(problems.NothingToMark, outcome=record.message or "")
    return annotated_bytes(read_stored(storage, record.file_path),
                           ProblemReport.from_dict(record.validation))


def annotated_bytes(original: bytes, report: ProblemReport) -> bytes:
    """`original` with the problems of `report` marked, written in the sandbox."""
    return in_sandbox(Limits(), annotate_workbook, original, report.problems,
                      report.omissions())

