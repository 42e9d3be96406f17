"""The domain's one base exception and its lookup failure.

Every error the core, the importers and the reports raise for a person to read derives from
`MneError`; its message is one translated sentence. `mne.errors` maps each kind once to an HTTP
status and a command's exit code.
"""

from __future__ import annotations

from indicators.i18n import N_, gettext

NOT_FOUND = {
    "strategy": N_("No strategy has the code %(code)s."),
    "entity": N_("No entity has the code %(code)s."),
    "indicator": N_("No indicator has the code %(code)s."),
    "period": N_("No period has the code %(code)s."),
    "objective": N_("No objective has the code %(code)s."),
    "dimension": N_("No dimension has the code %(code)s."),
    "qualitative_scale": N_("No qualitative scale has the code %(code)s."),
    "mapping": N_("No mapping has the name %(code)s."),
    "report": N_("No report has the id %(code)s."),
    "report_file": N_("Report %(code)s has no kept file."),
}


class MneError(Exception):
    """Something asked of the domain that cannot be done; `message` says what, for a person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(MneError, LookupError):
    """Nothing of `kind` (a key of `NOT_FOUND`: strategy, entity, indicator...) has `code`."""

    def __init__(self, kind: str, code: str):
        super().__init__(gettext(NOT_FOUND[kind], code=code))
        self.kind, self.code = kind, code


class Invalid(MneError, ValueError):
    """A request the domain understands but refuses as it stands (a malformed code, a step that
    cannot be taken); the message says why and what to do."""


class Conflict(Invalid):
    """A request that clashes with the current state (a locked period, a newer revision)."""
