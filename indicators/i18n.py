"""Translatable messages for code that runs without Flask (the core, importers, reports).

Mark a message with `_("... %(name)s ...", name=value)`; Babel extracts it like any other. The
application installs its translator at start-up, so messages reach the reader in their language;
without one (a plain script), the English text is used.
"""

from __future__ import annotations

from collections.abc import Callable

Translator = Callable[..., str]


def _english(message: str, **variables: object) -> str:
    return message % variables if variables else message


_translator: Translator = _english


def install_translator(translator: Translator) -> None:
    """Route every message through `translator(message, **variables)`."""
    global _translator
    _translator = translator


def gettext(message: str, **variables: object) -> str:
    """`message` in the reader's language, with `%(name)s` placeholders filled from `variables`."""
    return _translator(message, **variables)


_ = gettext


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now: the vocabulary's labels are
    translated each time they are read (`gettext(message)`), in the reader's language then."""
    return message
