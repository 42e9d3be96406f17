"""The domain model: strategies, principles, objectives, indicators, disaggregations, entities,
returns and data values, as SQLAlchemy 2 typed models."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    backref,
    column_property,
    mapped_column,
    relationship,
)

# The enumerations live in the vocabulary; they are named here too, beside the columns they type.
from indicators.vocabulary import (
    Aggregation,
    BreakKind,
    CrisisKind,
    Direction,
    EstimateSource,
    Frequency,
    Kind,
    Nature,
    ReturnState,
    Unit,
)


def utcnow() -> dt.datetime:
    """The current time in UTC, as stored in every timestamp column."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table, with constraint names stable across SQLite and PostgreSQL."""

    metadata = MetaData(naming_convention=NAMING)


def _enum(enum_class: type[StrEnum]) -> SAEnum:
    return SAEnum(
        enum_class,
        native_enum=False,
        length=24,
        validate_strings=True,
        values_callable=lambda members: [member.value for member in members],
    )


class Strategy(Base):
    __tablename__ = "strategy"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    area: Mapped[str] = mapped_column(String(200), doc="country or region")
    start_year: Mapped[int]
    end_year: Mapped[int]
    description: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")
    report_languages: Mapped[list[str] | None] = mapped_column(
        JSON, doc="languages the scheduler compiles reports in (none: the default)")

    principles: Mapped[list[Principle]] = relationship(
        back_populates="strategy", order_by="Principle.position", cascade="all, delete-orphan"
    )
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="strategy", order_by="Indicator.code", cascade="all, delete-orphan"
    )


class Principle(Base):
    """A pillar of the strategy: Prevent, Pursue, Protect, Promote by default."""

    __tablename__ = "principle"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")

    strategy: Mapped[Strategy] = relationship(back_populates="principles")
    objectives: Mapped[list[Objective]] = relationship(
        back_populates="principle", order_by="Objective.code", cascade="all, delete-orphan"
    )


class Objective(Base):
    """A strategic objective under one principle; an output may nest under an outcome."""

    __tablename__ = "objective"
    __table_args__ = (UniqueConstraint("principle_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    principle_id: Mapped[int] = mapped_column(ForeignKey("principle.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"))
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")

    principle: Mapped[Principle] = relationship(back_populates="objectives")
    parent: Mapped[Objective | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Objective]] = relationship(back_populates="parent")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="objective", order_by="Indicator.code"
    )


class Dimension(Base):
    """A dimension values are broken down by: sex, age, or one an administrator adds."""

    __tablename__ = "dimension"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")

    categories: Mapped[list[Category]] = relationship(
        back_populates="dimension", order_by="Category.position", cascade="all, delete-orphan"
    )


class Category(Base):
    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("dimension_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")

    dimension: Mapped[Dimension] = relationship(back_populates="categories")


class QualitativeScale(Base):
    """An ordered scale of levels for qualitative indicators."""

    __tablename__ = "qualitative_scale"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    levels: Mapped[list[ScaleLevel]] = relationship(
        back_populates="scale", order_by="ScaleLevel.level", cascade="all, delete-orphan"
    )

    def label_of(self, level: int | None) -> str | None:
        """The label of a level on this scale."""
        return next((item.label for item in self.levels if item.level == level), None)

    @property
    def top_level(self) -> int:
        return max(item.level for item in self.levels)


class ScaleLevel(Base):
    __tablename__ = "scale_level"
    __table_args__ = (UniqueConstraint("scale_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scale_id: Mapped[int] = mapped_column(ForeignKey("qualitative_scale.id", ondelete="CASCADE"))
    level: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))

    scale: Mapped[QualitativeScale] = relationship(back_populates="levels")


class Entity(Base):
    """Who reports: a country, a ministry, an agency; entities form a tree."""

    __tablename__ = "entity"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(60), default="agency")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"))
    email: Mapped[str] = mapped_column(String(254), default="", doc="focal point's address")
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")
    template_language: Mapped[str | None] = mapped_column(
        String(16), doc="language of its return template (none: the default)")

    parent: Mapped[Entity | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Entity]] = relationship(back_populates="parent", order_by="Entity.code")
    populations: Mapped[list[EntityPopulation]] = relationship(
        back_populates="entity", order_by="EntityPopulation.year", cascade="all, delete-orphan"
    )


class EntityPopulation(Base):
    """Population of an entity's territory in a year, for rates per 100,000."""

    __tablename__ = "entity_population"
    __table_args__ = (UniqueConstraint("entity_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id", ondelete="CASCADE"))
    year: Mapped[int]
    population: Mapped[int] = mapped_column(BigInteger)

    entity: Mapped[Entity] = relationship(back_populates="populations")


class Indicator(Base):
    """What is measured for an objective."""

    __tablename__ = "indicator"
    __table_args__ = (UniqueConstraint("strategy_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id", ondelete="CASCADE"))
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(400))
    definition: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[Kind] = mapped_column(_enum(Kind))
    unit: Mapped[Unit] = mapped_column(_enum(Unit))
    currency: Mapped[str] = mapped_column(String(3), default="")
    direction: Mapped[Direction] = mapped_column(_enum(Direction))
    frequency: Mapped[Frequency] = mapped_column(_enum(Frequency))
    aggregation: Mapped[Aggregation] = mapped_column(_enum(Aggregation))
    data_source: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[str] = mapped_column(Text, default="", doc="means of verification")
    responsible_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entity.id"))
    standard: Mapped[str] = mapped_column(String(60), default="", doc="e.g. SDG 16.2.2")
    sex_required: Mapped[bool] = mapped_column(Boolean, default=False)
    scale_id: Mapped[int | None] = mapped_column(ForeignKey("qualitative_scale.id"))
    baseline_value: Mapped[float | None] = mapped_column(Float)
    baseline_period: Mapped[str | None] = mapped_column(String(10))
    baseline_note: Mapped[str] = mapped_column(Text, default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")

    strategy: Mapped[Strategy] = relationship(back_populates="indicators")
    objective: Mapped[Objective] = relationship(back_populates="indicators")
    responsible_entity: Mapped[Entity | None] = relationship()
    scale: Mapped[QualitativeScale | None] = relationship()
    dimension_links: Mapped[list[IndicatorDimension]] = relationship(
        order_by="IndicatorDimension.position", cascade="all, delete-orphan"
    )
    targets: Mapped[list[Target]] = relationship(
        back_populates="indicator", order_by="Target.period_end", cascade="all, delete-orphan"
    )
    reporters: Mapped[list[Entity]] = relationship(
        secondary="indicator_reporter", order_by="Entity.code"
    )

    @property
    def dimensions(self) -> list[Dimension]:
        """The dimensions this indicator is reported by, in their order."""
        return [link.dimension for link in self.dimension_links]

    @property
    def final_target(self) -> Target | None:
        return next((target for target in self.targets if target.final), None)


class IndicatorDimension(Base):
    __tablename__ = "indicator_dimension"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    dimension: Mapped[Dimension] = relationship()


class IndicatorReporter(Base):
    """An entity that reports values for an indicator."""

    __tablename__ = "indicator_reporter"

    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)


class Target(Base):
    """A target value for a period; the final target closes the strategy."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    final: Mapped[bool] = mapped_column(Boolean, default=False)

    indicator: Mapped[Indicator] = relationship(back_populates="targets")


class UploadOutcome(StrEnum):
    """What became of an uploaded file."""

    RECEIVED = "received"
    UNUSABLE = "unusable"
    REFUSED = "refused"
    FORBIDDEN = "forbidden"
    DUPLICATE = "duplicate"
    CHECKED = "checked"
    REJECTED = "rejected"
    SUBMITTED = "submitted"


class Upload(Base):
    """One file as received, recorded before it is read whatever then becomes of it: its
    bytes are kept by sha256 under the storage folder."""

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
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return.id"),
                                                  doc="the return it made or repeated")

    source_return: Mapped[Return | None] = relationship(foreign_keys=[return_id])


class Return(Base):
    """One revision of the return of one entity for one period: the upload it was read from,
    its state, its problems (`validation`) and what it changed (`diff`, see
    `indicators.diffs`). The file's facts are its upload's."""

    __tablename__ = "return"
    __table_args__ = (UniqueConstraint("strategy_id", "entity_id", "period", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    strategy_id: Mapped[int] = mapped_column(ForeignKey("strategy.id"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    period: Mapped[str] = mapped_column(String(10))
    revision: Mapped[int] = mapped_column(default=1)
    state: Mapped[ReturnState] = mapped_column(_enum(ReturnState), default=ReturnState.SUBMITTED)
    upload_id: Mapped[int] = mapped_column(ForeignKey("upload.id", use_alter=True), index=True)
    validation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    diff: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    strategy: Mapped[Strategy] = relationship()
    entity: Mapped[Entity] = relationship()
    upload: Mapped[Upload] = relationship(foreign_keys=[upload_id], lazy="joined")

    file_path = association_proxy("upload", "file_path")
    sha256 = association_proxy("upload", "sha256")
    original_name = association_proxy("upload", "original_name")
    size = association_proxy("upload", "size")
    uploaded_by = association_proxy("upload", "uploaded_by")
    uploaded_at: Mapped[dt.datetime] = column_property(  # also to sort and group by in SQL
        select(Upload.uploaded_at).where(Upload.id == upload_id).scalar_subquery())


class _ValueColumns:
    """Columns shared by the current value and its history."""

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"))
    period: Mapped[str] = mapped_column(String(10))
    period_end: Mapped[dt.date] = mapped_column(Date)
    disaggregation: Mapped[str] = mapped_column(String(200), default="")
    value: Mapped[float | None] = mapped_column(Float)
    level: Mapped[int | None] = mapped_column(Integer)
    narrative: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    nature: Mapped[Nature] = mapped_column(_enum(Nature), default=Nature.NONE)
    low: Mapped[float | None] = mapped_column(Float, doc="lower end of a range or lower bound")
    high: Mapped[float | None] = mapped_column(Float, doc="upper end of a range")
    at_least: Mapped[bool] = mapped_column(Boolean, default=False,
                                           doc="the value is a lower bound (\"at least N\")")
    comment: Mapped[str] = mapped_column(Text, default="")
    return_id: Mapped[int | None] = mapped_column(ForeignKey("return.id"))
    source_sheet: Mapped[str] = mapped_column(String(60), default="")
    source_cell: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


VALUE_FIELDS = (
    "value",
    "level",
    "narrative",
    "evidence",
    "nature",
    "low",
    "high",
    "at_least",
    "comment",
    "return_id",
    "source_sheet",
    "source_cell",
)


class DataValue(_ValueColumns, Base):
    """The current value for (indicator, entity, period, disaggregation)."""

    __tablename__ = "data_value"
    __table_args__ = (
        UniqueConstraint("indicator_id", "entity_id", "period", "disaggregation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)

    indicator: Mapped[Indicator] = relationship()
    entity: Mapped[Entity] = relationship()
    source_return: Mapped[Return | None] = relationship()


class DataValueHistory(_ValueColumns, Base):
    """A value as it stood before it was replaced; never changed once written."""

    __tablename__ = "data_value_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    data_value_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_value.id", ondelete="SET NULL"), index=True
    )
    superseded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Crisis(Base):
    """A crisis that disturbed the figures of some entities from one period to another (to
    the latest when `end_period` is empty)."""

    __tablename__ = "crisis"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[CrisisKind] = mapped_column(_enum(CrisisKind))
    start_period: Mapped[str] = mapped_column(String(10))
    end_period: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")
    translations: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, doc="texts in other languages, see indicators.framework_texts")

    entities: Mapped[list[Entity]] = relationship(secondary="crisis_entity",
                                                  order_by="Entity.code")


class CrisisEntity(Base):
    """An entity a crisis affected."""

    __tablename__ = "crisis_entity"

    crisis_id: Mapped[int] = mapped_column(ForeignKey("crisis.id", ondelete="CASCADE"),
                                           primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entity.id"), primary_key=True)


class SeriesBreak(Base):
    """Where an indicator's series breaks: from `period` on, its values no longer compare with
    the earlier ones, for the reason `kind` says."""

    __tablename__ = "series_break"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    period: Mapped[str] = mapped_column(String(10))
    kind: Mapped[BreakKind] = mapped_column(_enum(BreakKind))
    note: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(backref=backref(
        "series_breaks", order_by="SeriesBreak.period", cascade="all, delete-orphan"))


class PairedEstimate(Base):
    """An indicator of reported cases paired with an estimate of the same phenomenon from
    another source: the estimate's series is the values of another indicator."""

    __tablename__ = "paired_estimate"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"),
                                              unique=True)
    estimate_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    source: Mapped[EstimateSource] = mapped_column(_enum(EstimateSource))
    citation: Mapped[str] = mapped_column(Text, default="")

    indicator: Mapped[Indicator] = relationship(foreign_keys=[indicator_id], backref=backref(
        "paired_estimate", uselist=False, cascade="all, delete-orphan"))
    estimate: Mapped[Indicator] = relationship(foreign_keys=[estimate_id])


def _as_member_of(enum_class: type[StrEnum]):
    def as_member(_target: object, value: object, _old: object, _initiator: object) -> object:
        return None if value is None else enum_class(value)
    return as_member


def _members_not_codes() -> None:
    """Every enumerated column holds a member of its enumeration, also when given its code as
    text (a form, a file, a test): its words and behaviour are then always at hand."""
    for mapper in Base.registry.mappers:
        for attribute in mapper.column_attrs:
            column_type = attribute.columns[0].type
            if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
                event.listen(attribute.class_attribute, "set",
                             _as_member_of(column_type.enum_class), retval=True)


_members_not_codes()
