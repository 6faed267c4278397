"""What berita says to operators, in their language: gettext catalogs kept with Babel.

Code writes every message in English, through `msg` (or `msg_n` where English has a
plural), with its values as named arguments:

    Problem(path, line, "date", msg("cannot read {value} as a date", value=raw))

A message is a `Text`: a `str` holding the English words (so code and tests can read
it), which remembers its msgid and arguments so that `say` can put it in another
language when it is shown. The catalogs are `generator/locale/<lang>/LC_MESSAGES/
berita.po`, made and kept up to date with Babel's tools (see README, "Messages") and
compiled from the `.po` the first time a language is needed.
"""

from __future__ import annotations

import functools
import gettext
import io
import tomllib
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "berita"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")
"""id: every operator's; en: the language berita's messages are written in."""


class Text(str):
    """A message: its English words, with what is needed to say it in another
    language (the msgid, the plural form and the named values)."""

    msgid: str
    plural: str | None
    count: int | None
    args: dict[str, Any]

    def __new__(cls, msgid: str, plural: str | None = None, count: int | None = None,
                **args: Any) -> Text:
        english = plural if plural is not None and count != 1 else msgid
        text = super().__new__(cls, english.format(count=count, **args)
                               if args or count is not None else english)
        text.msgid, text.plural, text.count, text.args = msgid, plural, count, args
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        # Problems travel between processes: keep what translation needs.
        return (_rebuild, (self.msgid, self.plural, self.count, tuple(self.args.items())))


def _rebuild(msgid: str, plural: str | None, count: int | None,
             args: tuple[tuple[str, Any], ...]) -> Text:
    return Text(msgid, plural, count, **dict(args))


def msg(msgid: str, /, **args: Any) -> Text:
    """A message, in English; `{name}` in it takes the value of `name`."""
    return Text(msgid, **args)


def msg_n(singular: str, plural: str, count: int, /, **args: Any) -> Text:
    """A message whose English depends on `count` ("1 error", "2 errors"); `{count}`
    in it is the number."""
    return Text(singular, plural, count, **args)


def say(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """`text` in `language`: a `Text` translated (its values too, when they are
    messages), any other string as it is."""
    if not isinstance(text, Text):
        return text
    catalog = translations(language)
    args = {name: say(value, language) if isinstance(value, str) else value
            for name, value in text.args.items()}
    if text.count is not None:
        args["count"] = text.count
    if text.plural is not None and text.count is not None:
        pattern = catalog.ngettext(text.msgid, text.plural, text.count)
    else:
        pattern = catalog.gettext(text.msgid)
    return pattern.format(**args) if args else pattern


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of `language`, compiled from its .po (once per process); English
    and unknown languages say the messages as written."""
    po = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def site_language(root: Path | None, chosen: str | None = None) -> str:
    """The language to speak to the operator of the site in `root`: `chosen` (--lang),
    else site.toml's site.language when berita speaks it, else Indonesian. Read on its
    own, so that even a site.toml with mistakes is reported in its own language."""
    if chosen:
        return chosen
    try:
        raw = tomllib.loads((Path(root or ".") / "site.toml").read_text(encoding="utf-8-sig"))
        language = str(raw.get("site", {}).get("language", DEFAULT_LANGUAGE))
    except (OSError, ValueError, AttributeError):
        return DEFAULT_LANGUAGE
    base = language.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE
