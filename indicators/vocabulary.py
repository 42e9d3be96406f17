"""The vocabulary of the domain: every enumeration a reader sees, each member with its code
(the value stored in the database and given to machines), its words (translated when read,
in the reader's language), its colour where reports and pages colour it, and its behaviour.

This is the one home of these labels, colours and rules: pages, workbooks, reports and
checks ask a member (`unit.label`, `status.colour`, `unit.additive`), never a table of their own.
"""

from __future__ import annotations

import zlib
from enum import StrEnum

from indicators.i18n import N_, gettext


class Term(StrEnum):
    """A member spelled `NAME = code, words` (then any further fields of its enumeration); its
    value is the code, `label` the words in the reader's language."""

    def __new__(cls, code: str, words: str, *fields: object) -> Term:
        member = str.__new__(cls, code)
        member._value_ = code
        member._words = words
        member._fields = fields
        return member

    @property
    def label(self) -> str:
        """The member in words, in the reader's language."""
        return gettext(self._words)


class Kind(Term):
    """Whether an indicator is measured by a number or by a level and a narrative."""

    QUANTITATIVE = "quantitative", N_("quantitative")
    QUALITATIVE = "qualitative", N_("qualitative")


class Unit(Term):
    """What an indicator's number counts; `entry_words` is how a return template asks for it."""

    COUNT = "count", N_("count"), N_("count")
    PERCENT = "percent", N_("percent"), N_("percent (0-100)")
    RATE_PER_100K = "rate_per_100k", N_("rate per 100,000"), N_("per 100,000")
    AMOUNT = "amount", N_("amount"), N_("amount")
    YES_NO = "yes_no", N_("yes/no"), N_("yes (1) / no (0)")
    LEVEL = "level", N_("level on a scale"), N_("level")

    @property
    def entry_label(self) -> str:
        """The unit as a return template names it beside the cell to fill."""
        return gettext(self._fields[0])

    def suffix(self, currency: str = "") -> str:
        """What follows a value of this unit: % for a percentage, per 100,000 for a rate,
        else the currency of an amount (when one is named)."""
        if self is Unit.PERCENT:
            return "%"
        if self is Unit.RATE_PER_100K:
            return self.entry_label
        return currency

    @property
    def additive(self) -> bool:
        """Whether the entities' values add up to the strategy's (counts and amounts do;
        percentages, rates, answers and levels do not)."""
        return self in (Unit.COUNT, Unit.AMOUNT)

    @property
    def whole_numbers(self) -> bool:
        """Whether a value is a whole number (a count, a yes (1) or no (0))."""
        return self in (Unit.COUNT, Unit.YES_NO)

    @property
    def largest(self) -> float:
        """The largest plausible value of this unit (a trillion people or cases, a quadrillion
        in a currency, 100 %, every one of 100,000, yes); anything beyond is a typing error."""
        return {Unit.COUNT: 1e12, Unit.PERCENT: 100.0, Unit.RATE_PER_100K: 100_000.0,
                Unit.AMOUNT: 1e15, Unit.YES_NO: 1.0}.get(self, 1e12)


class Direction(Term):
    """Which way an indicator should move from its baseline to its target."""

    INCREASE = "increase", N_("increase")
    DECREASE = "decrease", N_("decrease")
    MAINTAIN = "maintain", N_("maintain")

    @property
    def keeps_level(self) -> bool:
        """Whether the target is a level to keep (progress is closeness to it, expected
        throughout; never "achieved") rather than a point to reach from the baseline."""
        return self is Direction.MAINTAIN


class Aggregation(Term):
    """How the entities' values of an indicator make the strategy's value."""

    SUM = "sum", N_("sum")
    MEAN = "mean", N_("mean")
    LATEST = "latest", N_("latest")


class Frequency(Term):
    """How often an indicator is reported."""

    MONTHLY = "monthly", N_("monthly")
    QUARTERLY = "quarterly", N_("quarterly")
    SEMIANNUAL = "semiannual", N_("semi-annual")
    ANNUAL = "annual", N_("annual")


class Nature(Term):
    """What a value says about how far it can be trusted, or why it is missing: its SDMX
    observation status (`obs_status`, CL_OBS_STATUS) and confidentiality (`conf_status`,
    CL_CONF_STATUS); `missing` for a reason standing in place of a figure; `hollow` for a
    figure charts draw as a hollow mark; `uncertain` for one a status should not rest on
    unmentioned. The words of a return template's dropdown are `entry_words`."""

    NONE = "none", N_("not stated"), "A", "F", False, False, False
    VERIFIED = "verified", N_("verified"), "A", "F", False, False, False
    REPORTED = "reported", N_("reported"), "A", "F", False, False, False
    ALLEGED = "alleged", N_("alleged"), "U", "F", False, True, True
    ESTIMATED = "estimated", N_("estimated"), "E", "F", False, False, True
    MODELLED = "modelled", N_("modelled"), "I", "F", False, False, True
    PROVISIONAL = "provisional", N_("provisional"), "P", "F", False, True, False
    REVISED = "revised", N_("revised"), "R", "F", False, False, False
    CONFIDENTIAL = "confidential", N_("confidential"), "A", "C", False, False, False
    SUPPRESSED = "suppressed", N_("suppressed"), "Q", "A", True, False, False
    NOT_APPLICABLE = "not_applicable", N_("not applicable"), "M", "F", True, False, False
    NOT_AVAILABLE = "not_available", N_("not available"), "O", "F", True, False, False
    NOT_COLLECTED_CRISIS = ("not_collected_crisis", N_("not collected because of the crisis"),
                            "L", "F", True, False, False)

    @property
    def obs_status(self) -> str:
        """The SDMX OBS_STATUS code (A normal, E estimated, I imputed, P provisional, R revised,
        U low reliability, L not collected, M cannot exist, O missing, Q suppressed)."""
        return self._fields[0]

    @property
    def conf_status(self) -> str:
        """The SDMX CONF_STATUS code (F free, C confidential, A small counts)."""
        return self._fields[1]

    @property
    def missing(self) -> bool:
        """Whether this is a reason a figure is missing, not a kind of figure."""
        return self._fields[2]

    @property
    def hollow(self) -> bool:
        """Whether charts draw a figure of this nature as a hollow mark (provisional, alleged)."""
        return self._fields[3]

    @property
    def uncertain(self) -> bool:
        """Whether a status resting on such a figure says so (estimated, modelled, alleged)."""
        return self._fields[4]

    @property
    def entry_words(self) -> str:
        """The nature as a return template's dropdown offers it (English, as typed back)."""
        return self._words


class Filled(Term):
    """A term drawn as a coloured cell: its first further field is its background (RRGGBB)."""

    @property
    def fill(self) -> str:
        """The term's background colour (RRGGBB) in a table."""
        return self._fields[0]


class ReturnState(Filled):
    """The fate of an uploaded return; `fill` is its background colour (RRGGBB)."""

    REJECTED = "rejected", N_("rejected"), "FFC7CE"
    SUBMITTED = "submitted", N_("submitted"), "FFEB9C"
    APPROVED = "approved", N_("approved"), "C6EFCE"
    RETURNED = "returned", N_("returned"), "F8CBAD"
    SUPERSEDED = "superseded", N_("superseded"), "D9D9D9"

    @property
    def stands(self) -> bool:
        """Whether a revision in this state can be the one in force: it was imported and no
        later revision has replaced it (not rejected, not superseded)."""
        return self not in (ReturnState.REJECTED, ReturnState.SUPERSEDED)


class Status(Term):
    """Where an indicator stands, in the order a dashboard lists them; `colour` draws it in
    charts, `fill` is its background in a table (RRGGBB)."""

    ACHIEVED = "achieved", N_("achieved"), "1F5F8B", "BDD7EE"
    ON_TRACK = "on_track", N_("on track"), "2E8B57", "C6EFCE"
    AT_RISK = "at_risk", N_("at risk"), "D9A400", "FFEB9C"
    OFF_TRACK = "off_track", N_("off track"), "B03A48", "FFC7CE"
    NO_DATA = "no_data", N_("no data"), "A6A6A6", "E7E6E6"

    @property
    def colour(self) -> str:
        """The status's colour (RRGGBB) in a chart."""
        return self._fields[0]

    @property
    def fill(self) -> str:
        """The status's background colour (RRGGBB) in a table."""
        return self._fields[1]


OKABE_ITO: tuple[str, ...] = ("E69F00", "56B4E9", "009E73", "F0E442", "0072B2", "D55E00",
                               "CC79A7", "000000")
"""The colour-blind-safe palette of Okabe and Ito (RRGGBB) that every chart draws categories in."""


class Sex(Term):
    """The categories of the sex dimension, in the order tables list them; `colour` draws the
    category in every chart (female always the same colour). Their codes are data (a
    disaggregation's categories), so they are not among the `VOCABULARY` a page never prints."""

    FEMALE = "female", N_("female"), "CC79A7"
    MALE = "male", N_("male"), "0072B2"
    OTHER = "other", N_("other"), "009E73"
    UNKNOWN = "unknown", N_("unknown"), "999999"

    @property
    def colour(self) -> str:
        """The category's colour (RRGGBB) in a chart."""
        return self._fields[0]


def category_colour(category: str) -> str:
    """The colour (RRGGBB) of a disaggregation category in every chart: a sex category's own,
    else one of `OKABE_ITO` chosen by the category's code, so that it never changes."""
    if category in Sex._value2member_map_:
        return Sex(category).colour
    others = [colour for colour in OKABE_ITO if colour not in {sex.colour for sex in Sex}]
    return others[zlib.crc32(category.encode()) % len(others)]


class ReturnStatus(Filled):
    """Where the return an entity owes for a period stands on a given day (the obligations'
    answer); `fill` is its background colour (RRGGBB)."""

    NOT_DUE = "not_due", N_("not yet due"), "E7E6E6"
    DUE = "due", N_("due"), "DDEBF7"
    LATE = "late", N_("late"), "FFC7CE"
    SUBMITTED = "submitted", N_("submitted"), "FFEB9C"
    SENT_BACK = "sent_back", N_("sent back"), "F8CBAD"
    APPROVED = "approved", N_("approved"), "C6EFCE"

    @property
    def colour(self) -> str:
        """The status's colour (RRGGBB), the same as its fill."""
        return self.fill

    @property
    def received(self) -> bool:
        """Whether a return came."""
        return self not in (ReturnStatus.NOT_DUE, ReturnStatus.DUE, ReturnStatus.LATE)

    @classmethod
    def of_state(cls, state: ReturnState) -> ReturnStatus:
        """The status of the revision in force in `state` (neither rejected nor superseded:
        those never stand for a return)."""
        if not state.stands:
            raise ValueError(f"a {state} revision is not the one in force")
        return {ReturnState.RETURNED: cls.SENT_BACK,
                ReturnState.APPROVED: cls.APPROVED}.get(state, cls.SUBMITTED)


class ReportKind(Term):
    """What a compiled report tells."""

    PROGRESS = "progress", N_("progress")
    GAPS = "gaps", N_("gaps")


class Role(Term):
    """What a user may do (mne.accounts.permissions says what each allows)."""

    ADMINISTRATOR = "administrator", N_("administrator")
    COORDINATOR = "coordinator", N_("national coordinator")
    EVALUATOR = "evaluator", N_("evaluator")
    VIEWER = "viewer", N_("viewer")


class CrisisKind(Term):
    """What kind of crisis disturbed the figures: the five of the field's resilience toolkit."""

    CONFLICT = "conflict", N_("conflict")
    PANDEMIC = "pandemic", N_("pandemic")
    CLIMATE_DISASTER = "climate_disaster", N_("climate-related disaster")
    ECONOMIC_DOWNTURN = "economic_downturn", N_("economic downturn")
    GANG_VIOLENCE = "gang_violence", N_("surge of gang violence")


class BreakKind(Term):
    """Why an indicator's series breaks at a period: what changed, so that values on either
    side no longer compare."""

    DEFINITION = "definition", N_("change of definition")
    DATA_SOURCE = "data_source", N_("change of data source")
    REPORTING_CHANNEL = "reporting_channel", N_("change of reporting channel")


class EstimateSource(Term):
    """Where an estimate of the same phenomenon as an indicator comes from."""

    SURVEY = "survey", N_("victimisation survey")
    MODELLED = "modelled", N_("modelled estimate")
    PUBLISHED = "published", N_("published statistic")


VOCABULARY: tuple[type[Term], ...] = (Kind, Unit, Direction, Aggregation, Frequency, Nature,
                                      ReturnState, Status, ReturnStatus, ReportKind, Role,
                                      CrisisKind, BreakKind, EstimateSource)
"""Every enumeration a reader sees."""

COLOURED: tuple[type[Term], ...] = (ReturnState, Status, ReturnStatus)
"""The enumerations whose members have a background colour (`fill`) in a table."""


def written_number(value: float) -> str:
    """A number as people write it: grouped in thousands, a whole number without decimals,
    any other to at most two places (2,586,150; 45.5; 0.25), never in exponent form."""
    number = float(value)
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def written_range(value: float, low: float | None, high: float | None,
                  at_least: bool = False) -> str:
    """A value with its range as people write it: `470 [460–480]`, or a lower bound `≥ 2,000`;
    the number alone when it has neither."""
    if at_least:
        return f"≥ {written_number(value)}"
    if low is not None and high is not None:
        return f"{written_number(value)} [{written_number(low)}–{written_number(high)}]"
    return written_number(value)


def shown(value: object) -> object:
    """`value` as a reader should see it: a member of the vocabulary in words, anything else
    as it is."""
    return value.label if isinstance(value, Term) else value
