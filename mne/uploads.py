"""Returns as the pages, the API and the command line receive them: the shared calls with this
application's settings, database, storage and actor."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

from flask import send_file
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from importers.return_form import build_form
from importers.returns import Expected, ReturnResult, annotated_upload, receive_return
from importers.template import write_template
from importers.workbook import Limits
from indicators.i18n import in_language
from indicators.model import Entity, Return, Strategy, Upload
from indicators.periods import Period, parse_period
from indicators.storage import read_stored
from mne import evaluation
from mne.context import actor, database, session, settings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_limits() -> Limits:
    """The upload limits of config.toml."""
    return Limits(max_bytes=settings().max_upload_bytes,
                  max_uncompressed_bytes=settings().max_uncompressed_bytes)


def receive(data: bytes, name: str, dry_run: bool = False,
            expected: Expected | None = None) -> ReturnResult:
    """Keep, validate and (unless a dry run) import one uploaded return; a return for a period
    still running is only checked unless configured otherwise. The request's own reading
    transaction ends first, so that its connection goes back to the pool while the return
    waits its turn for the entity-period."""
    if not settings().submit_before_period_end:
        expected = replace(expected or Expected(), drafts_until_period_end=evaluation.today())
    session().commit()
    return receive_return(database().sessions, settings().storage_folder, data, name, actor(),
                          upload_limits(), dry_run=dry_run, expected=expected)


def resubmit(upload: Upload, allowed_entities: frozenset[str] | None) -> ReturnResult:
    """Submit a workbook already received (and checked), without sending it again."""
    return receive(read_stored(settings().storage_folder, upload.file_path), upload.original_name,
                   expected=Expected(allowed_entities=allowed_entities))


def submittable(period: str) -> bool:
    """Whether a return for `period` can be submitted today (its period has ended, unless
    configured otherwise)."""
    return (settings().submit_before_period_end
            or evaluation.today() > parse_period(period).end)


def template(entity: str, period: Period, strategy: str | None = None,
             language: str | None = None) -> tuple[str, bytes]:
    """The file name and bytes of the return template, in `language` when one is asked for
    (`?lang=`, `--lang`), else in the entity's template language, else the reader's; raises
    `NotFound` for an unknown entity or strategy."""
    language = language or session().scalar(
        select(Entity.template_language).where(Entity.code == entity))
    with in_language(language):
        form = build_form(session(), entity, period, strategy)
        name = f"return-{form.strategy.code}-{form.entity.code}-{form.period.code}.xlsx"
        return name, write_template(session(), form)


def xlsx_response(data: bytes, name: str):
    """An .xlsx file sent as a download."""
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True, download_name=name)


def return_summary(row: Return) -> dict[str, Any]:
    """A return as listed: who sent what when, and how it fared."""
    validation = row.validation or {}
    return {
        "id": row.id, "strategy": row.strategy.code, "entity": row.entity.code,
        "period": row.period, "revision": row.revision, "state": row.state,
        "uploaded_by": row.uploaded_by, "uploaded_at": row.uploaded_at.isoformat(),
        "original_name": row.original_name, "size": row.size, "sha256": row.sha256 or None,
        "upload_id": row.upload_id,
        "errors": validation.get("errors", 0), "warnings": validation.get("warnings", 0),
    }


def returns_query(strategy: str = "", entity: str = "", period: str = "",
                  state: str = "") -> Select:
    """Returns, newest first, narrowed by the filters given."""
    statement = (select(Return).join(Entity, Return.entity_id == Entity.id)
                 .join(Strategy, Return.strategy_id == Strategy.id)
                 .options(joinedload(Return.entity), joinedload(Return.strategy))
                 .order_by(Return.uploaded_at.desc(), Return.id.desc()))
    for column, wanted in ((Strategy.code, strategy), (Entity.code, entity),
                           (Return.period, period.upper()), (Return.state, state)):
        if wanted:
            statement = statement.where(column == wanted)
    return statement


def original_response(record: Return | Upload):
    """The workbook exactly as received, as a download."""
    return xlsx_response(read_stored(settings().storage_folder, record.file_path),
                         record.original_name or f"return-{record.id}.xlsx")


def annotated_response(record: Return | Upload):
    """The workbook as received with every problem marked on its cell, as a download."""
    return xlsx_response(annotated_upload(settings().storage_folder, record),
                         f"problems-{record.original_name or record.id}")
