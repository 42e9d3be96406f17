"""`mne import-stats`: what a person at the terminal sees."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from indicators.model import DataValue, Entity, Nature
from tests.helpers import GLOTIP, needs_glotip

pytestmark = needs_glotip


@pytest.fixture
def albania_csv(tmp_path):
    """Albania's rows of the GLOTIP file, as CSV."""
    frame = pd.read_excel(GLOTIP, engine="calamine", dtype=str)
    path = tmp_path / "glotip-alb.csv"
    frame[frame["Iso3_code"] == "ALB"].to_csv(path, index=False)
    return path


def test_missing_entities_and_indicators_are_listed_and_nothing_is_written(
        albania_csv, run_mne, session):
    run_mne("init")
    result = run_mne("import-stats", str(albania_csv), "--mapping", "unodc", check=False)
    assert result.returncode == 1
    assert "strategy UNODC-GLOTIP" in result.stderr and "entity ALB (Albania)" in result.stderr
    assert "indicator GLOTIP-VICTIMS" in result.stderr and "dimension exploitation" in result.stderr
    assert "--create-missing" in result.stderr and "writing values" not in result.stderr
    assert session.scalars(select(DataValue)).first() is None


def test_create_missing_imports_and_a_second_run_changes_nothing(albania_csv, run_mne, session):
    run_mne("init")
    first = run_mne("import-stats", str(albania_csv), "--mapping", "unodc", "--create-missing")
    assert "created entity ALB (Albania)" in first.stdout
    assert "writing values" in first.stderr
    second = run_mne("import-stats", str(albania_csv), "--mapping", "unodc")
    assert " 0 added, 0 changed" in second.stdout
    albania = session.scalars(select(Entity).filter_by(code="ALB")).one()
    values = session.scalars(select(DataValue).filter_by(entity_id=albania.id)).all()
    assert values and all(value.period.isdigit() and len(value.period) == 4 for value in values)
    assert all(value.value is None for value in values if value.nature is Nature.SUPPRESSED)


def test_unknown_category_is_named_with_its_row(tmp_path, run_mne):
    path = tmp_path / "odd.csv"
    path.write_text("Iso3_code,Country,Indicator,Dimension,Category,Sex,Age,Year,"
                    "Unit of measurement,txtVALUE\n"
                    "ALB,Albania,Persons convicted,Total,Total,Both,Total,2020,Counts,3\n",
                    encoding="utf-8")
    result = run_mne("import-stats", str(path), "--mapping", "unodc", "--create-missing",
                     check=False)
    assert result.returncode == 1
    assert "Row 2: 'Both' in column Sex is not in the mapping." in result.stderr
