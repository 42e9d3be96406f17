"""The message catalogues: every message the sources mark has a Chinese translation that keeps
its placeholders, the catalogues are up to date with the sources, and the compiled catalogues
that ship are those of the .po files."""

from __future__ import annotations

import re

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from mne.catalogues import TRANSLATIONS, extract

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
LANGUAGES = ("en", "zh")


def catalogue(language: str, suffix: str = "po"):
    path = TRANSLATIONS / language / "LC_MESSAGES" / f"messages.{suffix}"
    with path.open("rb") as file:
        return read_po(file) if suffix == "po" else read_mo(file)


def messages(language: str) -> list:
    return [message for message in catalogue(language) if message.id]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def forms(message) -> list[tuple[str, str]]:
    """(English, translation) of each form of `message`; a plural's forms against its plural."""
    if isinstance(message.id, tuple):
        return [(message.id[-1], form) for form in message.string]
    return [(message.id, message.string)]


def entry(message) -> tuple:
    """A message's id and translation, its plural forms as tuples (as .po and .mo both hold)."""
    return tuple(tuple(part) if isinstance(part, list | tuple) else part
                 for part in (message.id, message.string))


def translated(message) -> bool:
    return not message.fuzzy and all(text for _english, text in forms(message))


def test_every_message_has_a_chinese_translation():
    assert [message.id for message in messages("zh") if not translated(message)] == []


def test_chinese_translations_keep_every_placeholder():
    changed = [(english, text) for message in messages("zh") for english, text in forms(message)
               if placeholders(english) != placeholders(text)]
    assert changed == []


def test_chinese_translations_are_chinese():
    latin_only = [(english, text) for message in messages("zh") for english, text in forms(message)
                  if re.search(r"[A-Za-z]{3}", PLACEHOLDER.sub("", english))
                  and not re.search(r"[\u4e00-\u9fff]", text)]
    assert latin_only == []


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    pot = tmp_path_factory.mktemp("catalogue") / "messages.pot"
    extract(pot)
    with pot.open("rb") as file:
        return {message.id for message in read_po(file) if message.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_every_message_the_sources_mark(extracted, language):
    """After marking a new message: `make messages`, then translate it."""
    assert sorted(extracted - {message.id for message in messages(language)}) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_holds_no_message_the_sources_dropped(extracted, language):
    assert sorted({message.id for message in messages(language)} - extracted) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_is_that_of_the_po_file(language):
    """The .mo that ships says what the .po says (`make catalogues` compiles it again)."""
    written = dict(pair for pair in map(entry, filter(translated, messages(language)))
                   if pair[1] != pair[0])
    compiled = dict(pair for pair in map(entry, catalogue(language, "mo"))
                    if pair[0] and pair[1] != pair[0])  # untranslated plurals compile as English
    assert compiled == written

