"""Every file received, recorded before it is read, whatever then becomes of it."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indicators.model import Base, Return, _enum, utcnow


class UploadOutcome(StrEnum):
    """What became of an uploaded file."""

    RECEIVED = "received"
    UNUSABLE = "unusable"
    REFUSED = "refused"
    DUPLICATE = "duplicate"
    CHECKED = "checked"
    REJECTED = "rejected"
    SUBMITTED = "submitted"


class Upload(Base):
    """One file as received: its bytes are kept by sha256 under the storage folder."""

    __tablename__ = "upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_path: Mapped[str] = mapped_column(String(500))
    original_name: Mapped[str] = mapped_column(String(300), default="")
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    uploaded_by: Mapped[str] = mapped_column(String(200), default="")
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    outcome: Mapped[UploadOutcome] = mapped_column(_enum(UploadOutcome),
                                                   default=UploadOutcome.RECEIVED)
    message: Mapped[str] = mapped_column(Text, default="")
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return.id"))

    source_return: Mapped[Return | None] = relationship()
