"""Bulk import of published statistics: the real UNODC GLOTIP file (46,556 rows) comes in as
indicator series whose totals per country, indicator, sex and year equal the file's."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from importers.statistics import MAPPINGS, import_statistics, load_mapping, same_label
from indicators.disaggregation import parse_key
from indicators.framework import ensure_dimensions
from indicators.model import (
    Category,
    DataValue,
    DataValueHistory,
    Dimension,
    Entity,
    Indicator,
    Nature,
)
from mne.config import load_settings
from mne.database import Database
from tests.helpers import GLOTIP, ROOT, empty_database, needs_glotip

pytestmark = needs_glotip
KEY = ["entity", "Indicator", "Dimension", "category", "Sex", "Age", "Year"]


@pytest.fixture(scope="module")
def glotip(database_url, _databases):
    """The GLOTIP file imported twice into an empty database (once per backend): the
    database and what each import did."""
    database = _databases.setdefault(database_url, Database(database_url))
    empty_database(database)
    with database.transaction() as session:
        ensure_dimensions(session, load_settings(ROOT / "config.toml").dimensions)
    imports = []
    for _ in range(2):
        with database.transaction() as session:
            imports.append(import_statistics(session, GLOTIP, load_mapping("unodc"),
                                             create_missing=True))
    yield database, imports
    empty_database(database)


@pytest.fixture(scope="module")
def published():
    """The file as published, read by pandas, with numbers where numbers were published."""
    frame = pd.read_excel(GLOTIP, engine="calamine", dtype=str)
    frame["entity"] = frame["Iso3_code"].fillna(frame["Country"].str.upper())
    frame["number"] = pd.to_numeric(frame["txtVALUE"].str.replace(",", ""), errors="coerce")
    # a category is known by its label, blind to case and spacing; an empty one is its own
    frame["category"] = frame["Category"].fillna("Unspecified").map(same_label)
    return frame


def _stored(database: Database) -> pd.DataFrame:
    indicator_labels = {spec["code"]: label for label, spec in tomllib.loads(
        (MAPPINGS / "unodc.toml").read_text(encoding="utf-8"))["indicators"].items()}
    sex_labels = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Unknown"}
    with database.sessions() as session:
        rows = session.execute(
            select(Entity.code, Indicator.code, DataValue.disaggregation, DataValue.period,
                   DataValue.value, DataValue.nature, DataValue.comment)
            .join(Entity, DataValue.entity_id == Entity.id)
            .join(Indicator, DataValue.indicator_id == Indicator.id)).all()
    frame = pd.DataFrame(rows, columns=["entity", "indicator", "key", "period", "value", "nature",
                                        "comment"])
    frame["Indicator"] = frame["indicator"].map(indicator_labels)
    frame["Sex"] = [sex_labels.get(parse_key(key).get("sex"), "Total") for key in frame["key"]]
    return frame


def test_totals_per_country_indicator_sex_and_year_equal_the_file(glotip, published):
    database, _imports = glotip
    stored = _stored(database)
    expected = published.groupby(["entity", "Indicator", "Sex", "Year"])["number"].sum()
    found = stored.groupby(["entity", "Indicator", "Sex", "period"])["value"].sum()
    found.index = found.index.set_names(expected.index.names)
    pd.testing.assert_series_equal(found.sort_index(), expected.sort_index(), check_names=False)


def test_values_published_below_five_are_suppressed_never_numbers(glotip, published):
    database, _imports = glotip
    stored = _stored(database)
    suppressed = stored[stored["nature"] == Nature.SUPPRESSED]
    assert suppressed["value"].isna().all() and (suppressed["comment"] == "<5").all()
    all_below_five = published.groupby(KEY)["txtVALUE"].agg(lambda cells: set(cells) == {"<5"})
    assert len(suppressed) == all_below_five.sum() > 20_000


def test_every_row_of_the_file_is_stored_or_added_into_another_row_with_the_reason(
        glotip, published):
    database, (first, _second) = glotip
    assert first.values == published.groupby(KEY).ngroups == 46_032
    assert first.outcomes() == {"stored": 46_032, "added_up": 524, "refused": 0}
    with database.sessions() as session:
        stored = {int(cell.removeprefix("row ")) for cell in session.scalars(
            select(DataValue.source_cell))}
    added = [int(number) for problem in first.added_up
             for number in problem.fields["rows"].split(", ")[1:]]
    assert len(stored) == 46_032 and len(added) == len(set(added)) == 524
    assert stored | set(added) == set(range(2, 46_558)) and not stored & set(added)
    assert all("share entity, indicator, breakdown and year" in problem.message
               for problem in first.added_up)


def test_an_empty_category_is_a_category_of_its_own(glotip):
    database, _imports = glotip
    with database.sessions() as session:
        value = session.scalars(
            select(DataValue).join(Entity, DataValue.entity_id == Entity.id)
            .join(Indicator, DataValue.indicator_id == Indicator.id)
            .where(Entity.code == "DOM", Indicator.code == "GLOTIP-VICTIMS",
                   DataValue.period == "2020",
                   DataValue.disaggregation == "repatriation=unspecified")).one()
    assert (value.value, value.nature, value.comment) == (None, Nature.SUPPRESSED, "<5")


def test_category_codes_keep_their_meaning_and_labels_differing_by_case_are_one(glotip):
    database, (first, _second) = glotip
    with database.sessions() as session:
        citizenship = dict(session.execute(
            select(Category.code, Category.label).join(Dimension)
            .where(Dimension.code == "citizenship")).all())
    assert citizenship["guinee"] == "Guinée" and citizenship["turkiye"] == "TÃ¼rkiye"
    assert citizenship["republique-tcheque"] == "République tchèque"
    assert all(re.fullmatch(r"[0-9a-z+]+(-[0-9a-z+]+)*", code) and len(code) <= 40
               for code in citizenship)
    assert citizenship["india"] == "India" and "INDIA" not in citizenship.values()
    merges = {(problem.fields["dimension"], problem.fields["labels"])
              for problem in first.merged_labels}
    assert {("citizenship", "'India', 'INDIA'"),
            ("citizenship", "'Sri Lanka', 'Sri lanka', 'SRI LANKA'")} <= merges


def test_rows_sharing_a_key_are_added_up_and_say_so(glotip):
    database, _imports = glotip
    with database.sessions() as session:
        combined = session.scalars(select(DataValue).where(
            DataValue.nature == Nature.ESTIMATED)).all()
    assert combined and all(value.value is not None for value in combined)
    assert all(value.comment.startswith("At least") and "<5" in value.comment
               for value in combined)
    assert all(value.at_least and value.low == value.value and value.high is None
               for value in combined)


def test_importing_the_same_file_twice_changes_nothing(glotip):
    database, (first, second) = glotip
    assert len(first.changes.added) == first.values > 40_000
    assert first.rows == second.rows == 46_556
    assert not second.changes.touched and len(second.changes.unchanged) == second.values
    assert not second.created
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(DataValue)) == first.values
        assert session.scalar(select(func.count()).select_from(DataValueHistory)) == 0


def test_dimensions_of_the_file_become_dimensions_with_categories(glotip):
    database, (first, _second) = glotip
    assert "dimension exploitation" in first.created
    with database.sessions() as session:
        victims = session.scalars(select(Indicator).filter_by(code="GLOTIP-VICTIMS")).one()
        assert {dimension.code for dimension in victims.dimensions} == {
            "sex", "age", "exploitation", "citizenship", "repatriation"}
        exploitation = next(d for d in victims.dimensions if d.code == "exploitation")
        assert {category.code for category in exploitation.categories} == {
            "forced-labour", "sexual-exploitation", "other-forms-of-exploitation"}
        assert victims.standard == "SDG 16.2.2" and victims.strategy.code == "UNODC-GLOTIP"
        assert session.scalars(select(Entity).filter_by(code="SARK")).one().name == "Sark"


def test_mapping_can_be_named_by_path():
    assert load_mapping(str(MAPPINGS / "unodc.toml")).indicators == load_mapping(
        "unodc").indicators
    assert Path(MAPPINGS / "unodc.toml").exists()
