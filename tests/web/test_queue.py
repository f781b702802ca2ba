"""The work queue page (/units/{code}/queue): the forms of a unit and the units below with
their stage, completeness, due date and lateness; approve, return and lock from it, one form
or the ones ticked; the dashboard's box of what waits; the late list as CSV; the entry tab of
a unit without forms (Hà Nội) points to it. And the entry defects of issue 11: a figure
shown as typed, its vintage kept on save."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from tests.web.test_entry import FORM, row, value

if TYPE_CHECKING:
    from tests.web.conftest import Site

QUEUE = "/units/TT/queue?period=2023"
YENMY = "TT-YENMY|ntm-nang-cao"


def queue_row(page: str, key: str) -> str | None:
    found = re.search(rf'<tr data-form="{re.escape(key)}" data-stage="[a-z]+">.*?</tr>', page,
                      re.S)
    return found.group(0) if found else None


def stage(page: str, key: str) -> str | None:
    found = re.search(rf'<tr data-form="{re.escape(key)}" data-stage="([a-z]+)">', page)
    return found.group(1) if found else None


def test_the_district_sees_the_forms_of_its_communes(site: Site) -> None:
    page = site.get("thanhtri", QUEUE + "&state=all")
    assert site.status == 200
    yenmy = queue_row(page, YENMY)
    assert yenmy and "Yên Mỹ" in yenmy and "Đang nhập" in yenmy and "20/20" in yenmy
    assert "30/11/2023" in yenmy  # due 31 days before the year's end
    assert stage(page, "TT|kinh-te-xa-hoi") is not None  # the district's own forms too
    assert 'id="late"' in page and "Đơn vị trễ hạn" in page  # 2023 is long past
    # no raw codes in the page's text: units and forms by name
    text = re.sub(r"<[^>]+>", " ", page)
    assert "ntm-nang-cao" not in text and "TT-YENMY" not in text


def test_the_city_sees_every_level_below_and_its_entry_tab_points_there(site: Site) -> None:
    page = site.get("hn", "/units/HN/queue?period=2023&state=all")
    assert site.status == 200
    assert queue_row(page, YENMY) and queue_row(page, "TT|kinh-te-xa-hoi")
    entry = site.get("hn", "/units/HN/entry?period=2023")
    assert "/units/HN/queue?period=2023" in entry and 'id="to-queue"' in entry
    assert "Đơn vị không có biểu nhập số liệu nào" not in entry


def test_a_commune_sees_only_its_own_forms(site: Site) -> None:
    page = site.get("yenmy", "/units/TT-YENMY/queue?period=2023&state=all")
    assert site.status == 200 and queue_row(page, YENMY)
    assert "<button" not in page.split('id="queue"')[1].split("</table>")[0]
    site.get("yenmy", QUEUE)
    assert site.status == 403  # the district is seen (its drafts), its queue is not


def test_submit_then_approve_and_lock_from_the_queue(own_site: Site) -> None:
    own_site.post("yenmy", "/units/TT-YENMY/entry/ntm-nang-cao/workflow?period=2023",
                  {"action": "submit"})
    box = own_site.get("thanhtri", "/units/TT/queue/waiting?period=2023")
    assert "1 biểu chờ phê duyệt" in box and "đơn vị trễ hạn" in box
    page = own_site.get("thanhtri", QUEUE + "&state=waiting")
    assert stage(page, YENMY) == "submitted" and 'value="approve:' + YENMY + '"' in page

    page = own_site.post("thanhtri", QUEUE + "&state=waiting", {"one": "approve-lock:" + YENMY})
    assert own_site.status == 200 and "Đã thực hiện cho 1 biểu." in page
    assert queue_row(page, YENMY) is None  # the waiting list is empty for that row
    assert own_site.store.workflow.state("TT-YENMY", "2023", "ntm-nang-cao") == "locked"
    form = own_site.get("yenmy", FORM + "?period=2023")
    assert re.search(r'<input[^>]*name="v__thu-nhap-bq"[^>]*disabled', form)
    assert "Số liệu đã khóa" in form


def test_bulk_approval_names_a_refused_form_and_approves_the_others(own_site: Site) -> None:
    own_site.post("yenmy", "/units/TT-YENMY/entry/ntm-nang-cao/workflow?period=2023",
                  {"action": "submit"})
    page = own_site.post("thanhtri", QUEUE, {
        "action": "approve", "form": [YENMY, "TT-DAIANG|ntm-nang-cao"]})  # type: ignore
    assert "Đã thực hiện cho 1 biểu." in page
    alert = page.split('id="alert"')[1].split("</div>")[0]
    assert "Đại Áng" in alert and "Tiêu chí xã nông thôn mới nâng cao" in alert
    assert own_site.store.workflow.state("TT-YENMY", "2023", "ntm-nang-cao") == "approved"
    assert own_site.store.workflow.state("TT-DAIANG", "2023", "ntm-nang-cao") == "draft"
    # return needs a reason
    page = own_site.post("thanhtri", QUEUE + "&state=all", {"one": "return:" + YENMY})
    assert own_site.status == 409 and "cần nêu lý do" in page
    page = own_site.post("thanhtri", QUEUE + "&state=all",
                         {"one": "return:" + YENMY, "reason": "Thiếu nguồn"})
    assert own_site.store.workflow.state("TT-YENMY", "2023", "ntm-nang-cao") == "draft"


def test_the_late_list_downloads_as_csv(site: Site) -> None:
    client, _token = site.user("thanhtri")
    response = client.get("/units/TT/queue/late.csv?period=2023")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0] == "Đơn vị,Biểu,Hạn nộp,Số ngày trễ,Trạng thái"
    assert any(line.startswith("Yên Mỹ,Tiêu chí xã nông thôn mới nâng cao,30/11/2023,")
               for line in text.splitlines())


def test_the_queue_in_english(site: Site) -> None:
    client, _token = site.user("hn")
    client.cookies.set("lang", "en")
    try:
        page = html.unescape(client.get("/units/TT/queue?period=2023&state=all").text)
        assert "Work queue" in page and "Days late" in page and "In progress" in page
        units = re.findall(r'<a href="/units/[^"?]+\?period=2023[^"]*">([^<]+)</a>', page)
        assert "Yên Mỹ" in units and not any(u.startswith(("xã ", "huyện ")) for u in units)
        assert "100%" in page and "100 %" not in page
    finally:
        client.cookies.delete("lang")


def test_an_approved_form_says_it_is_approved(own_site: Site) -> None:
    own_site.post("yenmy", "/units/TT-YENMY/entry/ntm-nang-cao/workflow?period=2023",
                  {"action": "submit"})
    own_site.post("thanhtri", QUEUE, {"one": f"approve:{YENMY}"})
    page = own_site.get("yenmy", FORM + "?period=2023")
    note = re.search(r'id="closed-note">([^<]+)<', page)
    assert note and "phê duyệt" in note.group(1) and "gửi lên cấp trên" not in note.group(1)


def test_the_dashboard_loads_what_waits(site: Site) -> None:
    page = site.get("thanhtri", "/units/TT?period=2023")
    assert 'hx-get="/units/TT/queue/waiting?period=2023"' in page


# ---------------------------------------------------------------------- entry defects


def test_a_figure_is_shown_as_typed_and_keeps_its_vintage(own_site: Site) -> None:
    """Issue 11: 87,25 typed was shown "87,2" next to its field; saving a form turned an
    "Ước thực hiện" figure into a new "Chính thức" one ("Thêm – → 81,5")."""
    assert value(own_site, "TT-YENMY", "thu-nhap-bq") == (80.1, "estimate")
    page = own_site.post("yenmy", FORM + "?period=2023", {
        "v__thu-nhap-bq": "87,25", "seen__thu-nhap-bq": "estimate:80.1", "vintage": ""})
    assert own_site.status == 200, page
    assert value(own_site, "TT-YENMY", "thu-nhap-bq") == (87.25, "estimate")
    [entry, *_] = own_site.store.audit.history("observation",
                                               "TT-YENMY|thu-nhap-bq|2023|estimate")
    assert entry.action == "change"
    income = row(page, "thu-nhap-bq")
    assert 'value="87,25"' in income
    assert re.search(r'<span class="num">87,25</span>', income), income
    assert "Ước thực hiện" in income
