"""Translatable messages for code that runs without Flask (the core, importers, reports).

Mark a message with `_("... %(name)s ...", name=value)`; Babel extracts it like any other. The
application installs its translator at start-up, so messages reach the reader in their language
(a page's reader, or the configured default for commands and scheduled jobs); `in_language`
chooses another for a block of work. Without a translator (a plain script), the English text is
used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

Translator = Callable[..., str]
ENGLISH = "en"
DEFAULT_LANGUAGE = ENGLISH  # the language the framework's own columns are written in
LANGUAGES = {"en": "English", "zh": "中文"}  # each with a catalogue under mne/translations


def _english(message: str, **variables: object) -> str:
    return message % variables if variables else message


def _no_language() -> str:
    return ENGLISH


_translator: Translator = _english
_language: Callable[[], str] = _no_language
_chosen: ContextVar[str | None] = ContextVar("chosen_language", default=None)


def install_translator(translator: Translator, language: Callable[[], str]) -> None:
    """Route every message through `translator(message, **variables)`; `language()` names the
    language it translates into at that moment."""
    global _translator, _language
    _translator, _language = translator, language


def gettext(message: str, **variables: object) -> str:
    """`message` in the reader's language, with `%(name)s` placeholders filled from `variables`."""
    return _translator(message, **variables)


def reader_language() -> str:
    """The code of the language messages are given in now (`en`, `zh`): the one `in_language`
    chose, else the installed translator's."""
    return _language() if _translator is not _english else _chosen.get() or ENGLISH


@contextmanager
def in_language(code: str | None) -> Iterator[None]:
    """Give every message of this block (in this thread) in the language `code` (None: the
    reader's or the default, as outside the block)."""
    token = _chosen.set(code)
    try:
        yield
    finally:
        _chosen.reset(token)


def chosen_language() -> str | None:
    """The language `in_language` chose for the work under way, if any."""
    return _chosen.get()


_ = gettext


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now: the vocabulary's labels are
    translated each time they are read (`gettext(message)`), in the reader's language then."""
    return message
