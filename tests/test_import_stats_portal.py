"""Published statistics from any long-format file of the UNODC data portal: every row accounted
for, categories whose codes keep their meaning, the unit part of the series, indicators the mapping
does not list made from their names."""

from __future__ import annotations

import csv

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from importers.statistics import StatsProblem, import_statistics, load_mapping, slug
from indicators.framework import ensure_dimensions
from indicators.model import Category, DataValue, Dimension, Entity, Indicator, Nature
from indicators.vocabulary import Aggregation, Unit
from mne.config import load_settings
from tests.helpers import ROOT

HEADER = ["Iso3_code", "Country", "Region", "Subregion", "Indicator", "Dimension", "Category",
          "Sex", "Age", "Year", "Unit of measurement", "VALUE", "Source"]
HOMICIDE = "Victims of intentional homicide"
ASSAULT = "Serious assault"
RATE = "Rate per 100,000 population"


def row(indicator=HOMICIDE, dimension="Total", category="Total", sex="Total", age="Total",
        year="2021", unit="Counts", value="10", iso="MEX", country="México") -> list[str]:
    return [iso, country, "Americas", "Central America", indicator, dimension, category, sex,
            age, year, unit, value, "CTS"]


def write_xlsx(path, rows, value_column="VALUE"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([value_column if name == "VALUE" else name for name in HEADER])
    for cells in rows:
        sheet.append(cells)
    workbook.save(path)
    return path


def write_csv(path, rows, value_column="txtVALUE"):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([value_column if name == "VALUE" else name for name in HEADER])
        writer.writerows(rows)
    return path


@pytest.fixture
def db_with_dimensions(db):
    with db.transaction() as session:
        ensure_dimensions(session, load_settings(ROOT / "config.toml").dimensions)
    return db


def imported(db, path, create_missing=True):
    with db.transaction() as session:
        return import_statistics(session, path, load_mapping("unodc"),
                                 create_missing=create_missing)


def values_of(db, indicator_code):
    with db.sessions() as session:
        return {(entity, value.disaggregation, value.period): value for value, entity in
                session.execute(select(DataValue, Entity.code)
                                .join(Entity, DataValue.entity_id == Entity.id)
                                .join(Indicator, DataValue.indicator_id == Indicator.id)
                                .where(Indicator.code == indicator_code)).all()}


def categories_of(db, dimension):
    with db.sessions() as session:
        return dict(session.execute(select(Category.code, Category.label).join(Dimension)
                                    .where(Dimension.code == dimension)).all())


def test_codes_transliterate_accents_and_are_never_cut_into_one():
    assert slug("México") == "mexico" and slug("Türkiye") == "turkiye"
    assert slug("Sénégal") == "senegal" and slug("Côte d’Ivoire") == "cote-d-ivoire"
    first = "Other Countries (Dominica, Panama, French Guiana, Brazil, etc.)"
    second = "Other Countries (Dominica, Panama, French Guiana, Haiti, etc.)"
    assert len(slug(first)) == len(slug(second)) == 40 and slug(first) != slug(second)
    assert slug(first) == slug(first.upper())  # stable, and blind to case
    assert slug("TÃ¼rkiye") == "turkiye"  # UTF-8 once read as Windows-1252


def test_both_value_columns_both_units_and_indicators_made_from_their_names(
        db_with_dimensions, tmp_path):
    db = db_with_dimensions
    counts = write_xlsx(tmp_path / "homicide.xlsx", [
        row(value="35,000"), row(unit=RATE, value="27.5"),
        row(indicator=ASSAULT, value="120", iso="TUR", country="Türkiye")], "VALUE")
    assault = write_csv(tmp_path / "assault.csv", [
        row(indicator=ASSAULT, year="2020", value="90", iso="TUR", country="Türkiye")])
    with pytest.raises(StatsProblem) as listed:
        imported(db, counts, create_missing=False)
    assert listed.value.needs_creation
    assert {"indicator VICTIMS-OF-INTENTIONAL-HOMICIDE",
            "indicator VICTIMS-OF-INTENTIONAL-HOMICIDE-RATE", "indicator SERIOUS-ASSAULT",
            "entity MEX (México)", "entity TUR (Türkiye)"} <= set(listed.value.lines)

    summary = imported(db, counts)
    imported(db, assault)
    with db.sessions() as session:
        made = {indicator.code: indicator for indicator in session.scalars(select(Indicator))}
        homicide = made["VICTIMS-OF-INTENTIONAL-HOMICIDE"]
        rate = made["VICTIMS-OF-INTENTIONAL-HOMICIDE-RATE"]
        assert (homicide.name, homicide.unit) == (HOMICIDE, Unit.COUNT)
        assert (rate.name, rate.unit) == (f"{HOMICIDE} ({RATE})", Unit.RATE_PER_100K)
        assert rate.aggregation == Aggregation.SUM and made["SERIOUS-ASSAULT"].name == ASSAULT
    assert summary.outcomes() == {"stored": 3, "added_up": 0, "refused": 0}
    assert values_of(db, homicide.code)[("MEX", "", "2021")].value == 35_000
    assert values_of(db, rate.code)[("MEX", "", "2021")].value == 27.5
    assert {key[2]: value.value for key, value in values_of(db, "SERIOUS-ASSAULT").items()} == {
        "2021": 120, "2020": 90}


def test_categories_keep_their_meaning_merge_by_case_and_never_share_a_code(
        db_with_dimensions, tmp_path):
    db = db_with_dimensions
    citizenship = "by citizenship"
    long_one = "Other Countries (Dominica, Panama, French Guiana, Brazil, etc.)"
    long_two = "Other Countries (Dominica, Panama, French Guiana, Haiti, etc.)"
    path = write_xlsx(tmp_path / "victims.xlsx", [
        row(dimension=citizenship, category=label, value=str(number))
        for number, label in enumerate(["México", "Türkiye", "India", "INDIA", "Sri lanka",
                                        "Sri Lanka", "Senegal", "Sénégal", long_one, long_two,
                                        "Unknown", ""], start=1)])
    summary = imported(db, path)
    codes = categories_of(db, "citizenship")
    assert codes["mexico"] == "México" and codes["turkiye"] == "Türkiye"
    assert codes["india"] == "India" and codes["sri-lanka"] == "Sri lanka"
    assert codes["senegal"] == "Senegal"
    accented = next(code for code, label in codes.items() if label == "Sénégal")
    assert accented.startswith("senegal-") and len(accented) == len("senegal-") + 6
    long_codes = {code for code, label in codes.items() if label in (long_one, long_two)}
    assert len(long_codes) == 2 and all(len(code) <= 40 for code in long_codes)
    assert codes["unknown"] == "Unknown" and codes["unspecified"] == "Unspecified"
    assert {problem.fields["labels"] for problem in summary.merged_labels} == {
        "'India', 'INDIA'", "'Sri lanka', 'Sri Lanka'"}
    assert {problem.fields["rows"] for problem in summary.added_up} == {"4, 5", "6, 7"}
    assert summary.outcomes() == {"stored": 10, "added_up": 2, "refused": 0}
    stored = values_of(db, "VICTIMS-OF-INTENTIONAL-HOMICIDE")
    assert stored[("MEX", "citizenship=india", "2021")].value == 3 + 4
    assert stored[("MEX", "citizenship=unspecified", "2021")].value == 12
    assert stored[("MEX", "citizenship=unknown", "2021")].value == 11

    again = imported(db, path)
    assert not again.changes.touched and not again.created


def test_a_stored_category_keeps_its_code_whatever_the_next_file_holds(
        db_with_dimensions, tmp_path):
    db = db_with_dimensions
    imported(db, write_csv(tmp_path / "one.csv", [
        row(dimension="by citizenship", category="Sénégal")]))
    imported(db, write_csv(tmp_path / "two.csv", [
        row(dimension="by citizenship", category="Senegal"),
        row(dimension="by citizenship", category="SÉNÉGAL")]))
    codes = categories_of(db, "citizenship")
    assert codes["senegal"] == "Sénégal"
    assert next(code for code, label in codes.items() if label == "Senegal").startswith("senegal-")


def test_dimensions_and_age_groups_not_in_the_mapping_are_made_from_their_labels(
        db_with_dimensions, tmp_path):
    db = db_with_dimensions
    summary = imported(db, write_csv(tmp_path / "mechanism.csv", [
        row(dimension="by mechanisms", category="Firearms or explosives", age="30-44"),
        row(dimension="by mechanisms", category="Sharp object", age="30-44", value="4"),
        row(age="UNKNOWN"), row(age="18+")]))
    assert "dimension mechanisms" in summary.created
    assert categories_of(db, "mechanisms") == {"firearms-or-explosives": "Firearms or explosives",
                                               "sharp-object": "Sharp object"}
    with db.sessions() as session:
        assert session.scalars(select(Dimension).filter_by(code="mechanisms")).one().name == \
            "Mechanisms"
    ages = categories_of(db, "age")
    assert ages["30-44"] == "30-44" and ages["unknown"] == "Unknown"
    plus = next(code for code, label in ages.items() if label == "18+")
    assert plus != "18+" and plus.startswith("18+-")  # `18+` is `18 years or over`'s code
    assert set(values_of(db, "VICTIMS-OF-INTENTIONAL-HOMICIDE")) == {
        ("MEX", "age=30-44;mechanisms=firearms-or-explosives", "2021"),
        ("MEX", "age=30-44;mechanisms=sharp-object", "2021"), ("MEX", "age=unknown", "2021"),
        ("MEX", f"age={plus}", "2021")}


def test_rows_that_cannot_be_read_are_refused_with_their_row_numbers_and_nothing_is_written(
        db_with_dimensions, tmp_path):
    db = db_with_dimensions
    path = write_csv(tmp_path / "odd.csv", [
        row(), row(value="twelve", year="2020"), row(unit="Percent", year="2019"),
        row(sex="Both", year="2018"), row(value="<5", year="2017")])
    with pytest.raises(StatsProblem) as refused:
        imported(db, path)
    assert refused.value.refused_rows == 3
    assert refused.value.lines == [
        "Row 3: 'twelve' is not a number.",
        "Row 4: 'Percent' in column Unit of measurement is not in the mapping.",
        "Row 5: 'Both' in column Sex is not in the mapping."]
    with db.sessions() as session:
        assert session.scalars(select(DataValue)).first() is None


def test_a_file_without_its_value_column_is_refused(db_with_dimensions, tmp_path):
    path = write_csv(tmp_path / "novalue.csv", [row()], value_column="OBS_VALUE")
    with pytest.raises(StatsProblem) as refused:
        imported(db_with_dimensions, path)
    assert "txtVALUE / VALUE" in refused.value.lines[0]


def test_a_mapping_giving_two_different_labels_one_code_is_refused(tmp_path):
    mapping = (ROOT / "importers" / "mappings" / "unodc.toml").read_text(encoding="utf-8")
    path = tmp_path / "clash.toml"
    path.write_text(mapping.replace('Female = "female"', 'Female = "female", Women = "female"'),
                    encoding="utf-8")
    with pytest.raises(StatsProblem) as clash:
        load_mapping(str(path))
    assert clash.value.lines == [
        "'Female' and 'Women' of sex would share the code female; give one of them another "
        "code in the mapping."]


def test_suppressed_and_empty_categories_are_values_of_their_own(db_with_dimensions, tmp_path):
    db = db_with_dimensions
    imported(db, write_csv(tmp_path / "repatriation.csv", [
        row(dimension="by country of repatriation", category="", value="<5", iso="DOM",
            country="Dominican Republic", year="2020"),
        row(dimension="by country of repatriation", category="Unknown", value="7", iso="DOM",
            country="Dominican Republic", year="2020")]))
    stored = values_of(db, "VICTIMS-OF-INTENTIONAL-HOMICIDE")
    unspecified = stored[("DOM", "repatriation=unspecified", "2020")]
    assert unspecified.value is None and unspecified.nature is Nature.SUPPRESSED
    assert stored[("DOM", "repatriation=unknown", "2020")].value == 7


def test_the_command_line_accounts_for_every_row(tmp_path, run_mne):
    run_mne("init")
    path = write_csv(tmp_path / "victims.csv", [
        row(dimension="by citizenship", category="India", value="3"),
        row(dimension="by citizenship", category="INDIA", value="<5"),
        row(dimension="by citizenship", category="Türkiye", value="2"),
        row(value="5")])
    result = run_mne("import-stats", str(path), "--mapping", "unodc", "--create-missing")
    assert "4 rows read: 3 stored, 1 added into another row, 0 refused" in result.stdout
    assert "'India', 'INDIA' of citizenship are one category, india" in result.stdout
    assert "Rows 2, 3 are added up into one value, stored from row 2" in result.stdout
    assert "created categories of citizenship: india, turkiye" in result.stdout

    odd = write_csv(tmp_path / "odd.csv", [row(), row(value="twelve")])
    refused = run_mne("import-stats", str(odd), "--mapping", "unodc", check=False)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[:2] == ["nothing imported: 1 row refused:",
                                               "  Row 3: 'twelve' is not a number."]
