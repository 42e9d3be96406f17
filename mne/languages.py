"""The languages of the interface, how a request's language is chosen, and the translator the
core, importers and reports speak through.

A catalogue under mne/translations makes a language; LANGUAGES names the ones offered, each in
its own words. A request reads in the first of: `?lang=`, the signed-in user's language, the
language chosen in this session, the browser's Accept-Language, the configured default. Work
outside a request (a command, a scheduled job) speaks the language `indicators.i18n.in_language`
chose for it, else the request's when there is one, else the configured default.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path

import click
from babel.support import NullTranslations, Translations
from flask import has_app_context, has_request_context, request, session
from flask_babel import force_locale, get_locale
from flask_login import current_user

from indicators.i18n import LANGUAGES, chosen_language, in_language, install_translator

TRANSLATIONS = Path(__file__).with_name("translations")
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


@cache
def catalogue(code: str) -> NullTranslations:
    """The compiled catalogue of the language `code` (English: the messages as written)."""
    return Translations.load(str(TRANSLATIONS), [code])


class CatalogueTranslator:
    """Translates the core's messages from the catalogues, in a request or out of one."""

    def __init__(self, default_language: str):
        self.default_language = language_code(default_language) or "en"

    def language(self) -> str:
        """The language chosen for the work under way, the request's, or the default."""
        chosen = language_code(chosen_language())
        if chosen:
            return chosen
        locale = get_locale() if has_app_context() else None
        return language_code(str(locale)) if locale else self.default_language

    def __call__(self, message: str, **variables: object) -> str:
        translated = catalogue(self.language()).gettext(message)
        return translated % variables if variables else translated


def install_catalogues(default_language: str) -> None:
    """Give the core's messages (and every `indicators.i18n` message) from the catalogues, in
    the language of the work under way, else `default_language`."""
    translator = CatalogueTranslator(default_language)
    install_translator(translator, translator.language)


def language_option(command: Callable) -> Callable:
    """A command's `--lang CODE`: its messages, files and reports in that language (default:
    web.default_locale). Put it below @with_appcontext."""

    @click.option("--lang", "language", type=click.Choice(list(LANGUAGES)), default=None,
                  help="Language of the messages and of what is written (default: "
                       "web.default_locale).")
    @wraps(command)
    def in_chosen_language(*arguments, language: str | None, **options):
        if language is None:
            return command(*arguments, **options)
        with in_language(language), force_locale(language):
            return command(*arguments, **options)

    return in_chosen_language
