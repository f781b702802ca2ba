"""The words of the web pages, in Vietnamese and English: gettext catalogues read with Babel.

Messages are written in Vietnamese where they are shown: ``{{ _("Lưu") }}`` or
``{% trans n=n %}Đã lưu {{ n }} thay đổi.{% endtrans %}`` in a template (Jinja2's i18n
extension), ``_ = translator(lang).gettext`` then ``_("Lưu")`` in Python, ``N_("…")`` for a
message kept in a constant and translated where it is shown, and ``pgettext("tab", "Chỉ tiêu")``
where one Vietnamese word has two English ones. ``locale/en/LC_MESSAGES/messages.po`` gives
each message its English form; the catalogue is compiled in memory when first read (no
``.mo`` file to keep in step). ``tests/web/test_i18n.py`` extracts every message with Babel and
fails when one has no English form, when the catalogue keeps one nobody uses, or when a
template shows text outside a message. docs/web.md says how to update the catalogue.

Names that come from the definitions (units, indicators, forms, criteria sets) are not
messages: :func:`named` shows a name's English form where the definitions give one, and the
Vietnamese name with a visible mark where they do not.
"""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from markupsafe import Markup

__all__ = ["LANGS", "LANG_NAMES", "LOCALE", "translator", "N_", "named", "named_text",
           "current_lang", "speaking", "jinja_callables"]

LANGS = ("vi", "en")
LANG_NAMES = {"vi": "Tiếng Việt", "en": "English"}  # each in its own language, not messages
LOCALE = Path(__file__).parent / "locale"
DOMAIN = "messages"


@cache
def translator(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang``: Vietnamese is the messages themselves; English is read
    from its catalogue (fuzzy entries left out, so an unchecked one shows in Vietnamese)."""
    path = LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == "vi" or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as f:
        catalog = read_po(f, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def N_(message: str) -> str:
    """Marks ``message`` for the catalogue where it is defined (a constant); it is
    translated where it is shown, with ``translator(lang).gettext``."""
    return message


_lang: ContextVar[str] = ContextVar("ui_lang", default="vi")


def current_lang() -> str:
    """The language of the page being rendered."""
    return _lang.get()


@contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Renders templates in ``lang`` within the block (:func:`tieuchi.web.app.render`)."""
    token = _lang.set(lang if lang in LANGS else "vi")
    try:
        yield
    finally:
        _lang.reset(token)


def _gettext(message: str) -> str:
    return translator(_lang.get()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return translator(_lang.get()).ngettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return translator(_lang.get()).pgettext(context, message)


def _npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return translator(_lang.get()).npgettext(context, singular, plural, n)


def jinja_callables() -> dict[str, object]:
    """What :meth:`jinja2.Environment.install_gettext_callables` takes: each reads the
    language of the page being rendered."""
    return {"gettext": _gettext, "ngettext": _ngettext, "pgettext": _pgettext,
            "npgettext": _npgettext}


def _vietnamese(name: str) -> bool:
    """Whether a name is written in Vietnamese, that is with a letter outside ASCII: "%",
    "ha", "km" or "GRDP" read the same in English and are shown without a mark."""
    return any(c.isalpha() and not c.isascii() for c in name)


def named_text(name: str, name_en: str | None, lang: str) -> str:
    """A defined name as plain text (an attribute, an option, a file): its English form in
    English where given, else the Vietnamese name marked "(vi)" (a name with no Vietnamese
    letter, "%" or "km", as it is)."""
    if lang != "en" or not name_en and not _vietnamese(name):
        return name
    return name_en or f"{name} (vi)"


def named(name: str, name_en: str | None, lang: str) -> Markup | str:
    """A defined name in a page's text: its English form in English where given, else the
    Vietnamese name in a ``lang="vi"`` span with a visible "vi" mark (screen readers read it
    in Vietnamese). Not for attributes: use :func:`named_text` there."""
    if lang != "en" or name_en or not _vietnamese(name):
        return name_en if lang == "en" and name_en else name
    title = translator("en").gettext("Chưa có tên tiếng Anh")
    return Markup('<span lang="vi" class="vi-only">{}<abbr title="{}">vi</abbr></span>').format(
        name, title)
