"""Both languages are complete: every message of the pages has a Vietnamese and an English
form, the catalogue keeps only messages in use, templates show no text outside a message and
no page branches on the language (STYLE.md §19, tieuchi/web/i18n.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from jinja2 import Environment

from tieuchi.web.i18n import LOCALE, N_, named, named_text, translator

WEB = Path(__file__).parents[2] / "src" / "tieuchi" / "web"
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
PAGES = sorted(p for p in WEB.rglob("*.py") if p.name != "i18n.py")  # i18n.py: the one
CATALOGUE = LOCALE / "en" / "LC_MESSAGES" / "messages.po"

# Messages written the same in both languages (codes, abbreviations, numbers' layouts).
SAME_IN_BOTH = frozenset({"%(n)s %(term)s", "CSV", "XLSX", "DOCX", "PDF", "JSON", "GRDP",
                          "%(value)s %(unit)s", "API", "Email", "OK"})


def _extracted() -> dict[tuple[str | None, str], list[str]]:
    """(context, message) → where the code uses it (file:line)."""
    found: dict[tuple[str | None, str], list[str]] = {}
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for filename, line, message, _comments, context in extract_from_dir(
            WEB, method_map, options_map=options):
        key = (context, message if isinstance(message, str) else message[0])
        found.setdefault(key, []).append(f"src/tieuchi/web/{filename}:{line}")
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str], list[str]]:
    return _extracted()


@pytest.fixture(scope="module")
def catalogue() -> dict[tuple[str | None, str], tuple[str, bool]]:
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="en")
    out: dict[tuple[str | None, str], tuple[str, bool]] = {}
    for m in catalog:
        if not m.id:
            continue
        msgid = m.id if isinstance(m.id, str) else m.id[0]
        msgstr = m.string if isinstance(m.string, str) else (m.string or ("",))[0]
        out[(m.context, msgid)] = (msgstr or "", m.fuzzy)
    return out


def test_every_message_has_an_english_and_a_vietnamese_form(extracted, catalogue) -> None:
    """A message is written in Vietnamese where it is used; the catalogue gives its English.
    A message without an English form, or whose English is its Vietnamese copied (a message
    written in English in the code has no Vietnamese form), fails here with its place."""
    missing = []
    for (context, message), places in sorted(extracted.items(), key=lambda kv: kv[1][0]):
        english, fuzzy = catalogue.get((context, message), ("", False))
        if not message.strip():
            missing.append(f"{places[0]}: an empty message")
        elif not english or fuzzy:
            missing.append(f"{places[0]}: no English form for {message!r}")
        elif english == message and message not in SAME_IN_BOTH:
            missing.append(f"{places[0]}: {message!r} is the same in both languages "
                           "(write the Vietnamese in the code, the English in the catalogue)")
    assert not missing, "\n".join(missing)


def test_the_catalogue_keeps_no_unused_message(extracted, catalogue) -> None:
    unused = sorted(m for (c, m) in catalogue if (c, m) not in extracted)
    assert not unused, "messages nobody shows (remove them from the catalogue):\n" + \
        "\n".join(unused)


def test_each_message_keeps_its_placeholders(catalogue) -> None:
    """"Đã lưu %(n)s thay đổi." and "%(n)s change(s) saved." name the same values."""
    wrong = [m for (c, m), (english, _f) in catalogue.items()
             if english and sorted(re.findall(r"%\((\w+)\)", m))
             != sorted(re.findall(r"%\((\w+)\)", english))]
    assert not wrong, wrong


_TEXT_ATTRIBUTES = frozenset({"title", "placeholder", "aria-label", "alt", "label"})
_JINJA = "\x00"  # stands for a Jinja expression or tag in a template's text


class _Text(HTMLParser):
    """The text a template shows outside messages: text nodes and the text attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in _TEXT_ATTRIBUTES and value:
                self._keep(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._keep(data)

    def _keep(self, text: str) -> None:
        words = re.sub(r"\btieuchi\b", "", text.replace(_JINJA, " "))
        if re.search(r"[^\W\d_]{2,}", words):
            self.found.append((self.getpos()[0], " ".join(text.replace(_JINJA, "…").split())))


def _shown_text(source: str) -> Iterator[tuple[int, str]]:
    """The template's text with each Jinja expression, tag and comment replaced by a mark
    (their lines kept), as the page's HTML around them."""
    out = []
    in_trans = False  # the text of a {% trans %} block is its message
    previous = ""
    for _line, kind, value in Environment(extensions=["jinja2.ext.i18n"]).lex(source):
        if kind == "name" and previous == "block_begin" and value in ("trans", "endtrans"):
            in_trans = value == "trans"
        if kind != "whitespace":
            previous = kind
        if kind == "data" and not in_trans:
            out.append(value)
        else:
            out.append(_JINJA + "\n" * value.count("\n"))
    parser = _Text()
    parser.feed(_collapse("".join(out)))
    parser.close()
    yield from parser.found


def _collapse(text: str) -> str:
    """Jinja's lexer gives each token of an expression apart: one mark for a run of them."""
    return re.sub(_JINJA + r"+", _JINJA, text)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_a_template_shows_no_text_outside_a_message(template: Path) -> None:
    """Text in a template's HTML has no English form: each shown word is a message."""
    found = list(_shown_text(template.read_text(encoding="utf-8")))
    assert not found, "\n".join(f"src/tieuchi/web/templates/{template.name}:{line}: {text!r}"
                                for line, text in found)


# `lang == "en"`, a {"vi": …, "en": …} dictionary, or a word read off one (t.save, UI[lang])
_BRANCH = re.compile(r"""lang\s*[!=]=\s*["'](?:en|vi)["']|["'](?:vi|en)["']\s*:\s*\{"""
                     r"""|\{\{[^}]*\bt\.\w|\bt\[["']|\bUI\[""")


@pytest.mark.parametrize("module", [*PAGES, *TEMPLATES],
                         ids=lambda p: p.relative_to(WEB).as_posix())
def test_no_page_branches_on_the_language(module: Path) -> None:
    """No ``if lang == "en"``, no hand-made {"vi": …, "en": …} dictionary of words and no
    word read off one: each word is a message of the catalogue."""
    lines = [f"{module.relative_to(WEB).as_posix()}:{n}: {line.strip()}"
             for n, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1)
             if _BRANCH.search(line)]
    assert not lines, "\n".join(lines)


def test_the_checks_catch_what_they_name() -> None:
    """The template check finds raw text and passes a message; the catalogue translates."""
    assert [t for _l, t in _shown_text('<p title="Lưu lại">{{ _("Lưu") }}</p>')] == ["Lưu lại"]
    assert list(_shown_text('<p>{{ _("Lưu") }} · {{ n }}</p><b>Đã lưu</b>')) == [(1, "Đã lưu")]
    assert not list(_shown_text("<p>{% trans n=n %}Đã lưu {{ n }}{% endtrans %}</p>"))
    assert translator("vi").gettext("Lưu") == "Lưu"
    assert N_("Lưu") == "Lưu"


def test_a_name_without_an_english_form_is_marked() -> None:
    assert named("Thu ngân sách", "Budget revenue", "en") == "Budget revenue"
    assert named("Thu ngân sách", None, "vi") == "Thu ngân sách"
    shown = str(named("Thu ngân sách", None, "en"))
    assert 'lang="vi"' in shown and "Thu ngân sách" in shown and ">vi<" in shown
    escaped = '<span lang="vi" class="vi-only">&lt;b&gt;Đất'
    assert str(named("<b>Đất", None, "en")).startswith(escaped)
    assert named_text("Thu ngân sách", None, "en") == "Thu ngân sách (vi)"
    assert named("%", None, "en") == "%" and named_text("km", None, "en") == "km"
