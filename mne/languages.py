"""The languages of the interface and how a request's language is chosen.

A catalogue under mne/translations makes a language; LANGUAGES names the ones offered, each in
its own words. A request reads in the first of: `?lang=`, the signed-in user's language, the
language chosen in this session, the browser's Accept-Language, the configured default.
"""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

LANGUAGES = {"en": "English", "zh": "中文"}
SESSION_KEY = "language"
HTML_LANG = {"zh": "zh-Hans"}


def language_code(tag: str | None) -> str | None:
    """The offered language a tag names (`zh`, `zh-CN`, `zh_Hans`, `ZH-hans-cn` → `zh`), or None."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def choose_locale() -> str | None:
    """Flask-Babel's locale selector; None (the configured default) outside a request."""
    if not has_request_context():
        return None
    return (language_code(request.args.get("lang"))
            or (current_user.is_authenticated and language_code(current_user.language))
            or language_code(session.get(SESSION_KEY))
            or request.accept_languages.best_match(list(LANGUAGES)))


def html_lang() -> str:
    """The `<html lang>` of the page: the language its text is in."""
    code = str(get_locale().language)
    return HTML_LANG.get(code, code)
