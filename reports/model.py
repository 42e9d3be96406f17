"""The archive of compiled reports, the claims that make a scheduled report happen once, the
history of scheduled runs, and the notifications sent to coordinators."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    Text,
    Unicode,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indicators.model import Base, Entity, Strategy, _enum, utcnow
from indicators.vocabulary import ReportKind

SCHEDULER = "scheduler"


class ReportFormat(StrEnum):
    XLSX = "xlsx"
    HTML = "html"
    JSON = "json"
    PDF = "pdf"


class ClaimState(StrEnum):
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"


class RunOutcome(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class CompiledReport(Base):
    """One issued version of a report for a strategy, kind and period; never changed."""

    __tablename__ = "compiled_report"
    __table_args__ = (UniqueConstraint("strategy_id", "kind", "period", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    period: Mapped[str] = mapped_column(String(10))
    version: Mapped[int]
    compiled_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    compiled_by: Mapped[str] = mapped_column(String(200))
    returns_used: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, doc="[{'id': return id, 'revision': n}, ...]"
    )
    preliminary: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false(),
        doc="compiled with submitted figures not yet approved; never shown to viewers")
    language: Mapped[str] = mapped_column(
        String(16), default="", server_default="",
        doc="the language it is written in ('' when kept before languages were recorded)")

    strategy: Mapped[Strategy] = relationship()
    files: Mapped[list[ReportFile]] = relationship(
        back_populates="report", order_by="ReportFile.format", cascade="all, delete-orphan"
    )

    def file(self, format: ReportFormat | str) -> ReportFile | None:
        """The stored file of this report in `format`."""
        return next((item for item in self.files if item.format == format), None)


class ReportFile(Base):
    """A compiled report in one format, kept by content."""

    __tablename__ = "report_file"
    __table_args__ = (UniqueConstraint("report_id", "format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("compiled_report.id", ondelete="CASCADE"))
    format: Mapped[ReportFormat] = mapped_column(_enum(ReportFormat))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    path: Mapped[str] = mapped_column(String(500), doc="relative to the storage folder")

    report: Mapped[CompiledReport] = relationship(back_populates="files")


class ReportClaim(Base):
    """The scheduler's claim on compiling one report: whoever inserts it first compiles it."""

    __tablename__ = "report_claim"
    __table_args__ = (UniqueConstraint("strategy_id", "kind", "period", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="CASCADE"))
    kind: Mapped[ReportKind] = mapped_column(_enum(ReportKind))
    period: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(
        String(16), default="", server_default="",
        doc="the language to compile in ('': the default language)")
    state: Mapped[ClaimState] = mapped_column(_enum(ClaimState), default=ClaimState.CLAIMED)
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("compiled_report.id", ondelete="SET NULL")
    )
    error: Mapped[str] = mapped_column(Text, default="")


class JobRun(Base):
    """One run of a scheduled job: when it was due, when it ran, how it ended, what it made."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job_id", "scheduled_for",
                                       name="uq_job_run_job_id_scheduled_for"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100), index=True)
    scheduled_for: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    outcome: Mapped[RunOutcome] = mapped_column(_enum(RunOutcome), default=RunOutcome.RUNNING)
    error: Mapped[str] = mapped_column(Text, default="")
    outputs: Mapped[list[str]] = mapped_column(JSON, default=list)
    worker: Mapped[str] = mapped_column(String(200), default="", doc="host and process")


class Notification(Base):
    """A reminder about an entity's return (to its coordinators, or to evaluators about its
    review) or the news of a review decision, kept in the application and e-mailed when an SMTP
    server is configured; one per return, recipient, day and subject."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("strategy_id", "entity_id", "period", "recipient", "day", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(254), default="")
    day: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    send_error: Mapped[str] = mapped_column(Text, default="")

    strategy: Mapped[Strategy] = relationship()
    entity: Mapped[Entity] = relationship()


JOB_STORE_TABLE = "apscheduler_jobs"

# APScheduler's job store table, declared here too so that the migration creates it (two
# scheduler processes never race to create it) and schema comparisons know it.
apscheduler_jobs = Table(
    JOB_STORE_TABLE,
    Base.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
