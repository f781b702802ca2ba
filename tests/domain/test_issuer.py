"""Who issues a unit's report: the People's Committee derived from the unit, then what the
definitions write of it."""

from __future__ import annotations

from datetime import date

import pytest

from tieuchi.domain.base import fold
from tieuchi.domain.issuer import (
    Body,
    HeaderFields,
    Issuer,
    body_name,
    is_dated,
    issuer_of,
    unit_kind,
)
from tieuchi.domain.periods import Period
from tieuchi.domain.project import Project
from tieuchi.domain.units import Level, Unit

XA = Level(code="xa", name="Xã")
KVDK = Level(code="kvdk", name="Khu vực dự kiến thành lập phường", pseudo=True)


def _unit(name: str, kind: str | None, level: str = "x", parent: str | None = None) -> Unit:
    return Unit(code=fold(name).replace(" ", "-"), name=name, level=level, kind=kind, parent=parent)


@pytest.mark.parametrize(("name", "kind", "body", "place"), [
    ("Yên Mỹ", "xã", "Ủy ban nhân dân\nxã Yên Mỹ", "Yên Mỹ"),
    ("Hoàn Kiếm", "phường", "Ủy ban nhân dân\nphường Hoàn Kiếm", "Hoàn Kiếm"),
    ("Văn Điển", "thị trấn", "Ủy ban nhân dân\nthị trấn Văn Điển", "Văn Điển"),
    ("Thanh Trì", "huyện", "Ủy ban nhân dân\nhuyện Thanh Trì", "Thanh Trì"),
    ("Hoàng Mai", "quận", "Ủy ban nhân dân\nquận Hoàng Mai", "Hoàng Mai"),
    ("Nghệ An", "tỉnh", "Ủy ban nhân dân\ntỉnh Nghệ An", "Nghệ An"),
    ("Hà Nội", "thành phố", "Ủy ban nhân dân\nthành phố Hà Nội", "Hà Nội"),
    ("Phú Quốc", "Đặc khu", "Ủy ban nhân dân\nđặc khu Phú Quốc", "Phú Quốc"),
    # a name that already carries its kind is not written twice
    ("Phường Ba Đình", "phường", "Ủy ban nhân dân\nphường Ba Đình", "Ba Đình"),
])
def test_the_committee_of_each_kind_of_unit(name: str, kind: str, body: str,
                                            place: str) -> None:
    issuer = issuer_of(_unit(name, kind), None, None, None)
    assert (issuer.author, issuer.place) == (body, place)
    assert issuer.signer_title == ("TM. Ủy ban nhân dân", "Chủ tịch")
    assert (issuer.symbol, issuer.parent_body, issuer.number) == ("BC-UBND", None, None)
    assert issuer.recipients == ("Lưu: VT",)  # no parent: filed only


def test_the_kind_falls_back_to_the_level_and_a_planning_area_has_none() -> None:
    assert unit_kind(_unit("Yên Mỹ", None), XA) == "xã"
    assert unit_kind(_unit("Yên Mỹ", "Thị trấn"), XA) == "thị trấn"
    area = _unit("Khu vực 1", None, "kvdk")
    assert unit_kind(area, KVDK) is None and body_name(area, None) is None
    assert issuer_of(area, KVDK, None, None) == Issuer(None, None, None, None, None, (), (),
                                                       None)


def test_a_report_is_sent_to_the_parents_committee() -> None:
    district = _unit("Thanh Trì", "huyện")
    issuer = issuer_of(_unit("Yên Mỹ", None, parent=district.code), XA, district, None)
    assert issuer.recipients == ("Ủy ban nhân dân huyện Thanh Trì", "Lưu: VT")


def test_written_fields_replace_the_derived_ones_in_turn() -> None:
    commune = _unit("Yên Mỹ", "xã")
    first = HeaderFields(place="Xã Yên Mỹ", signer_name="Trần Văn B", recipients=["A", "B"])
    second = HeaderFields(signer_name="Lê Thị C", recipients=[], symbol="BC-UBND-X")
    issuer = issuer_of(commune, None, None, None, first, second)
    # as the store keeps them: every field dumped, the unwritten ones as null
    stored = [HeaderFields.model_validate(h.model_dump(mode="json")) for h in (first, second)]
    assert issuer_of(commune, None, None, None, *stored) == issuer
    assert issuer.author == "Ủy ban nhân dân\nxã Yên Mỹ"  # not written: derived
    assert (issuer.place, issuer.signer_name, issuer.symbol) == ("Xã Yên Mỹ", "Lê Thị C",
                                                                "BC-UBND-X")
    assert issuer.recipients == ()  # written as none: no "Nơi nhận"


PARTY = HeaderFields(body=Body.PARTY)
COUNCIL = HeaderFields(body=Body.COUNCIL)


@pytest.mark.parametrize(("name", "kind", "parent", "author", "above", "symbol", "recipients"), [
    ("Ia Sao", "xã", ("Gia Lai", "tỉnh"), "Đảng ủy xã Ia Sao", "Đảng bộ tỉnh Gia Lai", "BC/ĐU",
     ("Ban Thường vụ Tỉnh ủy Gia Lai", "Lưu Văn phòng Đảng ủy")),
    ("Ba Đình", "phường", ("Hà Nội", "thành phố"), "Đảng ủy phường Ba Đình",
     "Đảng bộ thành phố Hà Nội", "BC/ĐU",
     ("Ban Thường vụ Thành ủy Hà Nội", "Lưu Văn phòng Đảng ủy")),
    ("Thanh Trì", "huyện", ("Hà Nội", "thành phố"), "Huyện ủy Thanh Trì",
     "Đảng bộ thành phố Hà Nội", "BC/HU",
     ("Ban Thường vụ Thành ủy Hà Nội", "Lưu Văn phòng Huyện ủy")),
    ("Gia Lai", "tỉnh", None, "Tỉnh ủy Gia Lai", None, "BC/TU", ("Lưu Văn phòng Tỉnh ủy",)),
])
def test_the_party_committee_of_each_kind_of_unit(
        name: str, kind: str, parent: tuple[str, str] | None, author: str, above: str | None,
        symbol: str, recipients: tuple[str, ...]) -> None:
    """Hướng dẫn 36-HD/VPTW: the Party organisation above the committee, no motto."""
    up = _unit(*parent) if parent else None
    issuer = issuer_of(_unit(name, kind, parent=up.code if up else None), None, up, None, PARTY)
    assert (issuer.author, issuer.parent_body, issuer.symbol) == (author, above, symbol)
    assert issuer.party and issuer.recipients == recipients
    assert issuer.signer_title == ("T/M Ban Thường vụ", "Bí thư")
    assert issuer.place == name


def test_the_peoples_council() -> None:
    district = _unit("Thanh Trì", "huyện")
    issuer = issuer_of(_unit("Yên Mỹ", "xã", parent=district.code), None, district, None,
                       COUNCIL)
    assert (issuer.author, issuer.symbol) == ("Hội đồng nhân dân\nxã Yên Mỹ", "BC-HĐND")
    assert issuer.signer_title == ("TM. Hội đồng nhân dân", "Chủ tịch")
    assert issuer.recipients == ("Hội đồng nhân dân huyện Thanh Trì", "Lưu: VT")
    assert not issuer.party


def test_the_body_is_the_last_written_and_the_project_s_is_every_unit_s() -> None:
    commune = _unit("Yên Mỹ", "xã")
    assert issuer_of(commune, None, None, None, PARTY, COUNCIL).body is Body.COUNCIL
    assert issuer_of(commune, None, None, None, PARTY, HeaderFields(place="A")).party
    project = Project(name="P", root="R", body=Body.PARTY, author="Đảng ủy xã R",
                      headers={"B": HeaderFields(body=Body.COMMITTEE)})
    assert [h.body for h in project.header_overrides("A")] == [Body.PARTY]
    assert [h.body for h in project.header_overrides("R")] == [Body.PARTY, None]
    assert [h.body for h in project.header_overrides("B")][-1] is Body.COMMITTEE


@pytest.mark.parametrize(("body", "author", "signer", "filed"), [
    (Body.COMMITTEE, "People's Committee\nof Yên Mỹ commune",
     ("On behalf of the People's Committee", "Chairman"), "Archived: Office"),
    (Body.COUNCIL, "People's Council\nof Yên Mỹ commune",
     ("On behalf of the People's Council", "Chairman"), "Archived: Office"),
    (Body.PARTY, "Party Committee of Yên Mỹ commune",
     ("On behalf of the Standing Committee", "Secretary"),
     "Archived: Office of the Party Committee"),
])
def test_in_english_the_bodies_have_english_names(body: Body, author: str,
                                                  signer: tuple[str, ...], filed: str) -> None:
    issuer = issuer_of(_unit("Yên Mỹ", "xã"), None, None, None, HeaderFields(body=body),
                       lang="en")
    assert (issuer.author, issuer.place, issuer.signer_title) == (author, "Yên Mỹ", signer)
    assert issuer.recipients == (filed,)
    # an unknown kind: the level's English name
    ward = Level(code="p", name="Phường đặc biệt", name_en="Special ward")
    assert body_name(_unit("A", "khu"), "khu", lang="en", level=ward) == (
        "People's Committee of A special ward")


@pytest.mark.parametrize(("period", "as_of", "dated"), [
    ("2023", date(2023, 12, 12), True),  # within the period
    ("2023", date(2024, 3, 31), True),  # within the three months after its end
    ("2023", date(2024, 4, 1), False),  # long after
    ("2022", date(2023, 12, 12), False),
    ("2023-YTD09", date(2023, 10, 15), True),
    ("2024", date(2023, 12, 12), False),  # not begun
])
def test_a_report_on_a_period_long_past_is_undated(period: str, as_of: date,
                                                     dated: bool) -> None:
    assert is_dated(Period.parse(period), as_of) is dated
