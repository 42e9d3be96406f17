"""International standards: the SDG 16 catalogue ships with the package; an administrator adds
one to a strategy in one step and the indicator keeps its reference."""

import pytest
from sqlalchemy import select

from indicators.model import Indicator, Unit
from indicators.standards import StandardError, add_standard, standards

FIELD_STANDARDS = {"SDG 16.1.1", "SDG 16.1.3", "SDG 16.1.4", "SDG 16.2.2", "SDG 16.3.1",
                   "SDG 16.3.2", "SDG 16.4.1", "SDG 16.4.2", "SDG 16.5.1", "SDG 16.5.2",
                   "SDG 16.10.1"}


def test_catalogue_names_the_sdg16_indicators_the_field_reports_with_their_metadata():
    catalogue = {standard.code: standard for standard in standards()}
    assert set(catalogue) == FIELD_STANDARDS
    trafficking = catalogue["SDG 16.2.2"]
    assert trafficking.dimensions == ("sex", "age", "exploitation")
    assert trafficking.unit is Unit.RATE_PER_100K
    assert "detection" in trafficking.caveats and trafficking.custodian == "UNODC"
    assert all(standard.caveats and standard.custodian for standard in catalogue.values())


def test_administrator_adds_a_standard_to_a_strategy_on_the_command_line(demo, run_mne, session):
    listing = run_mne("standards", "list").stdout
    assert "SDG 16.2.2" in listing and "SDG 16.10.1" in listing

    result = run_mne("standards", "add", "--strategy", "MRD-NSOC", "--objective", "PV1", "16.1.3")

    assert "SDG16.1.3" in result.stdout
    indicator = session.scalars(select(Indicator).filter_by(code="SDG16.1.3")).one()
    assert indicator.standard == "SDG 16.1.3" and indicator.unit is Unit.PERCENT
    assert indicator.objective.code == "PV1"
    assert [dimension.code for dimension in indicator.dimensions] == ["sex", "age", "violence"]
    assert [category.code for category in indicator.dimensions[2].categories] == [
        "physical", "psychological", "sexual"]

    again = run_mne("standards", "add", "--strategy", "MRD-NSOC", "--objective", "PR1", "16.2.2",
                    check=False)
    assert again.returncode != 0 and "already has indicator" in again.stderr
    assert "(SDG 16.2.2)" in again.stderr


def test_adding_to_an_unknown_objective_names_it(demo, session):
    with pytest.raises(StandardError, match="has no objective XX9"):
        add_standard(session, "MRD-NSOC", "XX9", "16.3.2")
