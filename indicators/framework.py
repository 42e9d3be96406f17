"""Framework defaults and upserts: the four principles, the default qualitative scale, the
disaggregation dimensions named in configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from indicators.model import Base, Category, Dimension, QualitativeScale, ScaleLevel

DEFAULT_PRINCIPLES = (
    ("PREVENT", "Prevent",
     "Stop organized crime infiltrating communities, the economy and institutions."),
    ("PURSUE", "Pursue",
     "Detect, investigate and prosecute organized crime and take away its proceeds."),
    ("PROTECT", "Protect",
     "Protect victims and vulnerable people, victim-centred and gender-responsive."),
    ("PROMOTE", "Promote",
     "Promote partnership and cooperation, national and international."),
)

DEFAULT_SCALE_CODE = "default"
DEFAULT_SCALE = (
    (0, "not started"),
    (1, "initiated"),
    (2, "in progress"),
    (3, "largely achieved"),
    (4, "fully achieved"),
)

Row = TypeVar("Row", bound=Base)


def upsert(session: Session, model: type[Row], key: Mapping[str, Any], **fields: Any) -> Row:
    """The row of `model` with `key`, created if absent, its other fields set to `fields`
    (a field already equal is not touched, so a repeat changes nothing)."""
    row = session.scalars(select(model).filter_by(**key)).one_or_none()
    if row is None:
        row = model(**key, **fields)
        session.add(row)
        session.flush()
        return row
    for name, content in fields.items():
        if getattr(row, name) != content:
            setattr(row, name, content)
    return row


def ensure_default_scale(session: Session) -> QualitativeScale:
    """The default 0–4 scale, created if absent."""
    scale = upsert(session, QualitativeScale, {"code": DEFAULT_SCALE_CODE},
                   name="Default implementation scale")
    present = {level.level for level in scale.levels}
    for level, label in DEFAULT_SCALE:
        if level not in present:
            scale.levels.append(ScaleLevel(level=level, label=label))
    session.flush()
    return scale


def ensure_dimensions(session: Session, dimensions: Mapping[str, Mapping[str, Any]]) -> None:
    """Create or update the dimensions and categories named in configuration:
    `{"sex": {"name": "Sex", "categories": {"female": "Female", ...}}, ...}`."""
    for position, (code, spec) in enumerate(dimensions.items()):
        dimension = upsert(session, Dimension, {"code": code},
                           name=spec.get("name", code.title()), position=position)
        existing = {category.code: category for category in dimension.categories}
        for rank, (category_code, label) in enumerate(spec["categories"].items()):
            category = existing.get(category_code)
            if category is None:
                dimension.categories.append(
                    Category(code=category_code, label=label, position=rank)
                )
            else:
                category.label, category.position = label, rank
    session.flush()


def dimension_categories(session: Session) -> dict[str, list[str]]:
    """Every dimension's category codes, in order."""
    return {
        dimension.code: [category.code for category in dimension.categories]
        for dimension in session.scalars(select(Dimension).order_by(Dimension.position))
    }
