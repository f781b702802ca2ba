"""Who issues a unit's report: the People's Committee derived from the unit, then what the
definitions write of it."""

from __future__ import annotations

import pytest

from tieuchi.domain.base import fold
from tieuchi.domain.issuer import HeaderFields, Issuer, body_name, issuer_of, unit_kind
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
