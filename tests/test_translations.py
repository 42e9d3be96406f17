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


def test_every_message_has_a_chinese_translation():
    untranslated = [message.id for message in messages("zh")
                    if not message.string or message.fuzzy]
    assert untranslated == []


def test_chinese_translations_keep_every_placeholder():
    changed = [(message.id, message.string) for message in messages("zh")
               if placeholders(message.id) != placeholders(message.string)]
    assert changed == []


def test_chinese_translations_are_chinese():
    latin_only = [(message.id, message.string) for message in messages("zh")
                  if re.search(r"[A-Za-z]{3}", message.id)
                  and not re.search(r"[\u4e00-\u9fff]", message.string)]
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
    written = {message.id: message.string for message in messages(language)
               if message.string and not message.fuzzy}
    compiled = {message.id: message.string for message in catalogue(language, "mo")
                if message.id}
    assert compiled == written

