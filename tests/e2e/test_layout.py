"""Every page on a phone (390×844) and a desktop (1366×900), in Vietnamese and English: no
horizontal page scroll at 390 px, and axe-core (vendored by the dev dependency
``axe-playwright-python``, nothing is downloaded) finds no serious or critical violation of
WCAG 2.1 AA.

:data:`PAGES` is the one list of the pages checked: add a page there. With
``TIEUCHI_SCREENSHOTS=docs/screenshots`` each page is kept as ``phone-NAME.png`` (390 px) and
``wide-NAME.png`` (1366 px); docs/screenshots/ keeps those of the main pages (docs/web.md).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page

from tests.e2e.conftest import login

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TALLEST = 2600  # px of a page kept in a screenshot (its top)
DRAFT = "{draft}"  # a path's placeholder for the draft the module writes first


@dataclass(frozen=True)
class Shown:
    """A page, as the user who sees it (None: a visitor) and the status it answers with."""

    name: str
    user: str | None
    path: str
    status: int = 200


PAGES = [
    Shown("dashboard", "thanhtri", "/units/TT?period=2023"),
    Shown("targets", "thanhtri", "/units/TT/targets?period=2023"),
    Shown("criteria", "thanhtri", "/units/TT/criteria?period=2023"),
    Shown("criteria-matrix", "thanhtri", "/units/TT/criteria/ntm-kieu-mau?period=2023"),
    Shown("drill-down", "thanhtri", "/units/TT/targets/tp-ntm-kieu-mau-2021-2025"),
    Shown("trend", "thanhtri", "/units/TT/trend?period=2023&indicator=gtsx"),
    Shown("report", "thanhtri", "/units/TT/report?period=2023"),
    Shown("entry", "yenmy", "/units/TT-YENMY/entry?period=2023"),
    Shown("entry-form", "yenmy", "/units/TT-YENMY/entry/ntm-nang-cao?period=2023"),
    Shown("history", "yenmy", "/units/TT-YENMY/history?indicator=ntmnc-04&period=2023"),
    Shown("history-all", "thanhtri", "/units/TT/history?period=2023"),
    Shown("queue", "thanhtri", "/units/TT/queue?period=2023"),
    Shown("queue-city", "hanoi", "/units/HN/queue?period=2023&state=all"),
    Shown("tree", "hanoi", "/units/HN/tree?period=2023"),
    Shown("import", "thanhtri", "/units/TT/import?period=2023"),
    Shown("manage-targets", "thanhtri", "/units/TT/manage-targets?period=2023"),
    Shown("drafts", "thanhtri", "/units/TT/drafts?period=2023"),
    Shown("draft", "thanhtri", f"/units/TT/drafts/{DRAFT}"),
    Shown("account", "xem", "/account"),
    Shown("search", "quantri", "/search?q=dai"),
    Shown("login", None, "/login"),
    Shown("error-404", "thanhtri", "/units/XYZ/targets", 404),
]
USERS = sorted({p.user for p in PAGES if p.user})
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def draft(server: str, browser: Browser) -> Iterator[str]:
    """The number of a draft of the district's report, written once for the module."""
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    login(page, server, "thanhtri", "/units/TT/drafts?period=2023")
    page.locator("form[method=post][action$='/drafts'] button[type=submit]").first.click()
    page.wait_for_url("**/drafts/*")
    number = page.url.split("/drafts/")[1].split("?")[0]
    context.close()
    yield number


@pytest.fixture(scope="module")
def signed_in(server: str, browser: Browser) -> Iterator[dict[str, list[dict]]]:
    """Each user's session cookies (one sign-in per user for the module)."""
    cookies: dict[str, list[dict]] = {}
    for user in USERS:
        context = browser.new_context(viewport=DESKTOP)
        login(context.new_page(), server, user)
        cookies[user] = context.cookies()  # type: ignore[assignment]
        context.close()
    yield cookies


class Visits:
    """Browser contexts by (user, width, language), opened when first asked, each with the
    user's cookies and a page that notes what broke the Content-Security-Policy."""

    def __init__(self, browser: Browser, server: str, cookies: dict[str, list[dict]]) -> None:
        self.browser, self.server, self.cookies = browser, server, cookies
        self.contexts: dict[tuple[str | None, int, str], tuple[BrowserContext, Page]] = {}
        self.csp: list[str] = []

    def page(self, user: str | None, viewport: dict[str, int], lang: str) -> Page:
        key = (user, viewport["width"], lang)
        if key not in self.contexts:
            context = self.browser.new_context(viewport=viewport,  # type: ignore[arg-type]
                                               locale="vi-VN")
            jar = [c for c in self.cookies.get(user or "", []) if c["name"] != "lang"]
            context.add_cookies([*jar, {"name": "lang", "value": lang, "url": self.server}])  # type: ignore[list-item]
            page = context.new_page()
            page.on("console", lambda m: self.csp.append(m.text)
                    if "Content Security Policy" in m.text else None)
            self.contexts[key] = (context, page)
        return self.contexts[key][1]

    def open(self, shown: Shown, viewport: dict[str, int], lang: str, draft: str) -> Page:
        page = self.page(shown.user, viewport, lang)
        response = page.goto(self.server + shown.path.replace(DRAFT, draft))
        assert response is not None and response.status == shown.status, \
            f"{shown.name} ({lang}): HTTP {response and response.status}"
        page.wait_for_load_state("networkidle")
        return page

    def close(self) -> None:
        for context, _page in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def visits(server: str, browser: Browser, signed_in: dict[str, list[dict]]) -> Iterator[Visits]:
    v = Visits(browser, server, signed_in)
    yield v
    v.close()
    assert not v.csp, f"the pages broke the Content-Security-Policy: {v.csp}"


def _wider_than_the_screen(page: Page) -> str:
    """What makes the page scroll sideways (empty when nothing does)."""
    return str(page.evaluate("""() => {
        const root = document.documentElement;
        if (root.scrollWidth <= window.innerWidth) return "";
        const wide = [...document.querySelectorAll("body *")].filter(e => {
            const r = e.getBoundingClientRect();
            return r.right > window.innerWidth + 1
                && !e.closest(".table-wrap, .matrix-scroll, .md-table");
        }).slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") +
            (typeof e.className === "string" && e.className
             ? "." + e.className.split(" ").join(".") : ""));
        return root.scrollWidth + " px > " + window.innerWidth + " px: " + wide.join(", ");
    }"""))


def _keep(page: Page, name: str) -> None:
    folder = os.environ.get("TIEUCHI_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = min(int(page.evaluate("document.documentElement.scrollHeight")), TALLEST)
        width = int(page.evaluate("window.innerWidth"))
        page.screenshot(path=str(Path(folder) / name), full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height})
        from PIL import Image  # 256 colours: a third of the size, as legible

        shot = Image.open(Path(folder) / name).convert("RGB")
        shot.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(Path(folder) / name,
                                                                         optimize=True)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_page_scrolls_sideways_on_a_phone(visits: Visits, draft: str, lang: str) -> None:
    wide = []
    for shown in PAGES:
        page = visits.open(shown, PHONE, lang, draft)
        if found := _wider_than_the_screen(page):
            wide.append(f"{shown.name} ({lang}): {found}")
        if lang == "vi":
            _keep(page, f"phone-{shown.name}.png")
    assert not wide, "\n".join(wide)


def test_axe_finds_no_serious_violation(visits: Visits, draft: str) -> None:
    """WCAG 2.1 AA (and axe's best practices) on every page, in Vietnamese, at both widths
    (the phone's layout has its own header and tabs)."""
    axe = Axe()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a",
                                                     "wcag21aa", "best-practice"]},
               "resultTypes": ["violations"]}
    found = []
    for viewport in (DESKTOP, PHONE):
        for shown in PAGES:
            page = visits.open(shown, viewport, "vi", draft)
            if viewport is DESKTOP:
                _keep(page, f"wide-{shown.name}.png")
            for v in axe.run(page, options=options).response["violations"]:
                if v["impact"] in SERIOUS:
                    nodes = "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
                    found.append(f"{shown.name} @{viewport['width']}: {v['id']} "
                                 f"({v['impact']}): {v['help']} — {nodes}")
    assert not found, "\n".join(found)


def test_the_skip_link_leads_to_the_main_content(visits: Visits, draft: str) -> None:
    page = visits.open(PAGES[0], PHONE, "vi", draft)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.bounding_box()["y"] >= 0  # type: ignore[index]  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
