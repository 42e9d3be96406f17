"""The return as a form in the browser, for those who do not work in Excel.

The form is read from the template (`importers.form_entry`): the same rows, dropdowns and
value rules. Saving writes the template filled with what was entered and sends it through the
upload path (`mne.uploads.receive`), so the workbook is kept, checked, imported and reviewed
like an uploaded one; each problem found comes back next to the field of its cell.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from importers.form_entry import EntryForm, entry_form, filled_workbook
from importers.return_form import QUALITATIVE, QUANTITATIVE, ReturnForm, build_form
from importers.returns import Expected, ReturnResult
from importers.template import write_template
from indicators.model import Entity, UploadOutcome
from indicators.return_review import feedback_for_period, standing_return
from mne.accounts.guard import requires
from mne.accounts.permissions import Action
from mne.context import session
from mne.uploads import receive, submittable
from mne.web.returns import entity_and_period

blueprint = Blueprint("return_form", __name__)
SHEET_TITLES = {QUANTITATIVE: _l("Figures"), QUALITATIVE: _l("Progress in words")}
ACTIONS = ("check", "submit")


def _return_form(entity: str, period: str) -> tuple[Entity, ReturnForm]:
    row, found = entity_and_period(entity, period, Action.SUBMIT_RETURNS)
    return row, build_form(session(), row.code, found, request.args.get("strategy") or None)


@blueprint.get("/returns/of/<entity>/<period>/form")
@requires(Action.SUBMIT_RETURNS)
def show(entity: str, period: str):
    """The form, filled with the values of the revision in force (if any)."""
    row, form = _return_form(entity, period)
    in_force = standing_return(session(), form.strategy.id, row.id, form.period.code)
    template = write_template(session(), form, filled_from=in_force)
    return _page(row, form, entry_form(template))


@blueprint.post("/returns/of/<entity>/<period>/form")
@requires(Action.SUBMIT_RETURNS)
def save(entity: str, period: str):
    """Check or submit what was entered, as a workbook through the upload path; a submitted
    return goes to its page, anything else back to the form with its problems."""
    row, form = _return_form(entity, period)
    template = write_template(session(), form)
    entries = entry_form(template)
    entered = {reference: request.form.get(reference, "") for reference in entries.fields}
    action = request.form.get("action")
    if action not in ACTIONS:
        return _page(row, form, entries.with_values(entered)), 400
    result = receive(filled_workbook(template, entered), _file_name(form),
                     dry_run=action == "check",
                     expected=Expected(entity=row.code, period=form.period.code,
                                       strategy=form.strategy.code))
    if result.outcome is UploadOutcome.SUBMITTED:
        return redirect(url_for("returns.show", return_id=result.return_id))
    return _page(row, form, entries.with_values(entered), result)


def _file_name(form: ReturnForm) -> str:
    """The name the workbook written from the form is kept under."""
    return f"form-{form.strategy.code}-{form.entity.code}-{form.period.code}.xlsx"


def _page(entity: Entity, form: ReturnForm, entries: EntryForm,
          result: ReturnResult | None = None) -> str:
    outcome = result.to_dict() if result else None
    fields = entries.fields
    by_field: dict[str, list[dict]] = {}
    for problem in outcome["problems"] if outcome else []:
        by_field.setdefault(problem["reference"], []).append(problem)
    elsewhere = [problem for reference, found in by_field.items() if reference not in fields
                 for problem in found]
    feedback = feedback_for_period(session(), form.strategy.id, entity.id, form.period.code)
    first = next((reference for reference in by_field if reference in fields), "")
    return render_template("returns/form.html", entity=entity, form=form, entries=entries,
                           result=outcome, problems=by_field, elsewhere=elsewhere, first=first,
                           feedback=feedback, sheet_titles=SHEET_TITLES,
                           submittable=submittable(form.period.code))
