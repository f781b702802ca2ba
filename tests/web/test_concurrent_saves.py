"""Saving what someone else changed meanwhile, through the entry page and the API: the page
sends what each field showed and the API an optional ``expected`` per figure; a figure that
changed since is refused with 409 ``stale-figure`` next to its field, never overwritten. The
rule itself, and its concurrency on both backends, is tested on the application
(tests/app/test_concurrency.py)."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from tests.web.test_api import assert_error, figure, ok
from tests.web.test_entry import FORM, row, value

if TYPE_CHECKING:
    from tests.web.conftest import Site, WebApp

URL = FORM + "?period=2023"
INCOME = "thu-nhap-bq"  # 80,1, an estimate, in the reference district
ELECTRICITY = "ntmnc-04"  # yes/no: 1


def form_of(page: str) -> dict[str, str]:
    """What a browser posts of the form as the page shows it: each field and the hidden
    figure it showed."""
    fields = dict(re.findall(r'<input type="(?:text|hidden)"[^>]*name="((?:v|seen)__[^"]+)"'
                             r'[^>]*value="([^"]*)"', page))
    fields |= dict(re.findall(r'<select name="(v__[^"]+)".*?<option value="([^"]*)" selected',
                              page, re.S))
    return fields | {"vintage": "estimate"}


def test_a_form_over_a_changed_figure_is_refused_next_to_the_field(own_site: Site) -> None:
    mine = form_of(own_site.get("thanhtri", URL))
    assert mine[f"seen__{INCOME}"] == "estimate:80.1"
    page = own_site.post("yenmy", URL, form_of(own_site.get("yenmy", URL))
                         | {f"v__{INCOME}": "81,5"})
    assert own_site.status == 200 and "Đã lưu 1 thay đổi" in page
    page = own_site.post("yenmy", URL, form_of(page) | {f"v__{ELECTRICITY}": "0",
                                                        "vintage": "official"})
    assert own_site.status == 200 and "Đã lưu 1 thay đổi" in page

    # The district's officer saves the form read before, changing another field: what it
    # left as it was is not written back over yenmy's changes.
    page = own_site.post("thanhtri", URL, mine | {"v__nuoc-sach-tap-trung": "99"})
    assert own_site.status == 200 and "Đã lưu 1 thay đổi" in page
    assert value(own_site, "TT-YENMY", ELECTRICITY) == (0.0, "official")
    assert value(own_site, "TT-YENMY", INCOME) == (81.5, "estimate")

    # Changing the income it saw as 80,1: refused beside its field with what it is now;
    # nothing of the form is written.
    page = own_site.post("thanhtri", URL, mine | {f"v__{INCOME}": "82",
                                                  "v__nuoc-sach-tap-trung": "98"})
    assert own_site.status == 409
    income = re.sub(r"\s+", " ", row(page, INCOME))
    assert re.search(r"Số liệu đã được yenmy sửa thành 81,5 lúc \d\d:\d\d:\d\d "
                     r"\d\d/\d\d/\d{4}; kiểm tra rồi lưu lại", income), income
    assert 'value="82"' in income and 'value="estimate:81.5"' in income
    assert value(own_site, "TT-YENMY", INCOME) == (81.5, "estimate")
    water = own_site.store.audit.history("observation",
                                         "TT-YENMY|nuoc-sach-tap-trung|2023|estimate")
    assert [e.new for e in water] == [{"value": 99, "source": None}]

    # Checked, and saved again from the page shown: written.
    again = form_of(page)
    assert again[f"v__{INCOME}"] == "82"
    page = own_site.post("thanhtri", URL, again)
    assert own_site.status == 200, page
    assert value(own_site, "TT-YENMY", INCOME) == (82.0, "estimate")
    assert value(own_site, "TT-YENMY", ELECTRICITY) == (0.0, "official")


def test_concurrent_api_writes_with_what_they_read(fresh_web: WebApp) -> None:
    """Requests that all read 80,1 write at once: one goes through, the others get 409
    ``stale-figure`` in the one error shape; a request without ``expected`` writes over."""
    client = fresh_web.client("yenmy")
    seen = figure(client, "TT-YENMY", INCOME, "2023")
    assert seen == 80.1
    count = 6
    barrier = threading.Barrier(count)

    def post(i: int) -> Any:
        row_ = {"unit": "TT-YENMY", "indicator": INCOME, "period": "2023",
                "vintage": "estimate", "value": 90 + i, "expected": seen}
        own = fresh_web.client("yenmy")
        barrier.wait(timeout=60)
        return own.post("/api/observations", json={"observations": [row_]})

    with ThreadPoolExecutor(count) as pool:
        responses = list(pool.map(post, range(count)))

    passed = [r for r in responses if r.status_code == 200]
    assert len(passed) == 1 and ok(passed[0]) == {"ok": True, "changed": 1}
    for refused in (r for r in responses if r.status_code != 200):
        [error] = assert_error(refused, 409, "stale-figure")
        assert (error["index"], error["field"]) == (0, "value")
        assert "by yenmy" in error["message"]
    written = figure(client, "TT-YENMY", INCOME, "2023")
    assert written is not None and written in {90 + i for i in range(count)}

    # expected null: "there was none" — there is one.
    stale = {"unit": "TT-YENMY", "indicator": INCOME, "period": "2023", "vintage": "estimate",
             "value": 1, "expected": None}
    assert_error(client.post("/api/observations", json={"observations": [stale]}), 409,
                 "stale-figure")
    # Without expected: the last writer wins, audited with what it replaced.
    unchecked = {k: v for k, v in stale.items() if k != "expected"}
    assert ok(client.post("/api/observations", json={"observations": [unchecked]}))[
        "changed"] == 1
    [last, before, *_] = fresh_web.store.audit.history(
        "observation", f"TT-YENMY|{INCOME}|2023|estimate")
    assert last.old == before.new and last.old["value"] == written
