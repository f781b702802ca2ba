"""Consultation on draft reports: drafts and their versions, comments on paragraphs, how
they are resolved, closing; who may do what; every action audited with it."""

from __future__ import annotations

import pytest

from tests.store.helpers import (
    COMMUNE,
    DISTRICT,
    OTHER_COMMUNE,
    PASSWORD,
    admin_user,
    entry_user,
    officer_user,
    viewer_user,
)
from tieuchi.app import drafts as d
from tieuchi.domain.problems import ProblemError
from tieuchi.store import Store, User

TEXT = """**HUYỆN ỦY THANH TRÌ**

# Báo cáo kết quả năm 2023

1. Hoàn thành 18/18 chỉ tiêu.

2. Thu cố định ước đạt 857,7 tỷ đồng, đạt 100,2% dự toán giao.

| STT | Chỉ tiêu | Ước thực hiện |
|---:|---|---:|
| 1 | Thu cố định | 857,7 |
| 2 | Tổng giá trị sản xuất | 43.799 |
"""
CHANGED = TEXT.replace("857,7", "870,2").replace("100,2%", "101,7%")


def _codes(error: pytest.ExceptionInfo[ProblemError]) -> list[str]:
    return [p.code for p in error.value.problems]


def _draft(store: Store, author: User, unit: str = DISTRICT) -> d.Draft:
    return d.create_draft(store, unit, "2023", TEXT, user=author)


# ---------------------------------------------------------------------- text


def test_paragraphs_are_the_blocks_between_blank_lines() -> None:
    paragraphs = d.split_paragraphs(TEXT.replace("\n", "\r\n") + "\n\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[1] == "# Báo cáo kết quả năm 2023"
    assert paragraphs[4].count("\n") == 3  # a table is one paragraph
    assert d.split_paragraphs(" \n\n ") == []


def test_compare_pairs_changed_paragraphs_and_finds_added_and_removed() -> None:
    old = ["a", "b", "c", "d"]
    new = ["a", "B", "c", "e", "f"]
    kinds = [(c.kind, c.old, c.new) for c in d.compare(old, new)]
    assert kinds == [("same", 1, 1), ("changed", 2, 2), ("same", 3, 3), ("changed", 4, 4),
                     ("added", None, 5)]
    assert [c.kind for c in d.compare(["a", "b"], ["a"])] == ["same", "removed"]


def test_inline_diff_marks_words_and_table_rows() -> None:
    pieces = d.inline_diff("ước đạt 857,7 tỷ đồng", "ước đạt 870,2 tỷ đồng")
    assert ("removed", "857,7") in pieces and ("added", "870,2") in pieces
    assert "".join(t for k, t in pieces if k != "added") == "ước đạt 857,7 tỷ đồng"
    rows = d.inline_diff("| h |\n| 1 |\n| 2 |", "| h |\n| 1 |\n| 3 |", by_line=True)
    assert rows == [("same", "| h |\n| 1 |"), ("removed", "| 2 |"), ("added", "| 3 |")]


# ---------------------------------------------------------------------- drafts, versions


def test_a_draft_keeps_versions_and_compares_them(loaded_store: Store) -> None:
    store = loaded_store
    officer = officer_user(store)
    draft = _draft(store, officer)
    assert (draft.unit, draft.period, draft.state, draft.versions) == (DISTRICT, "2023", "open",
                                                                         1)
    assert draft.title == "Báo cáo kết quả năm 2023"
    first = d.get_version(store, draft.id, user=officer)
    assert first.number == 1 and len(first.paragraphs) == 5 and first.created_by == "officer"

    with pytest.raises(ProblemError) as same:
        d.add_version(store, draft.id, TEXT, user=officer)
    assert _codes(same) == ["unchanged"]
    second = d.add_version(store, draft.id, CHANGED, user=officer)
    assert second.number == 2
    assert [v.number for v in d.versions_of(store, draft.id, user=officer)] == [1, 2]
    assert d.get_version(store, draft.id, user=officer).number == 2
    assert d.get_version(store, draft.id, 1, user=officer).paragraphs == first.paragraphs
    changes = d.compare(first.paragraphs, second.paragraphs)
    assert [(c.kind, c.new) for c in changes if c.kind != "same"] == [("changed", 4),
                                                                        ("changed", 5)]

    history = store.audit.history("draft", str(draft.id))
    assert [(a.action, a.key, a.actor, a.unit) for a in history] == [
        ("version", f"{draft.id}|v2", "officer", DISTRICT),
        ("create", str(draft.id), "officer", DISTRICT)]
    assert history[0].new == {"version": 2, "paragraphs": 5, "changed": 2}


def test_one_open_draft_per_unit_and_period(loaded_store: Store) -> None:
    store = loaded_store
    officer = officer_user(store)
    draft = _draft(store, officer)
    with pytest.raises(ProblemError) as open_one:
        d.create_draft(store, DISTRICT, "2023", TEXT, user=officer)
    assert _codes(open_one) == ["draft-open"]
    assert f"dự thảo số {draft.id}" in open_one.value.problems[0].message_vi
    assert d.create_draft(store, DISTRICT, "2022", TEXT, user=officer).period == "2022"
    d.close_draft(store, draft.id, user=officer)
    assert d.create_draft(store, DISTRICT, "2023", TEXT, user=officer).id != draft.id


def test_saving_a_draft_is_for_officers_and_administrators_in_scope(
        loaded_store: Store) -> None:
    store = loaded_store
    for user in (viewer_user(store), entry_user(store, DISTRICT),
                 officer_user(store, COMMUNE, "commune-officer")):
        with pytest.raises(ProblemError, match="only an officer or administrator"):
            _draft(store, user)
    assert _draft(store, admin_user(store)).created_by == "admin"
    hn = officer_user(store, "HN", "hn")
    assert _draft(store, hn, COMMUNE).unit == COMMUNE
    with pytest.raises(ProblemError) as unknown:
        _draft(store, hn, "XX")
    assert _codes(unknown) == ["unknown-unit"]
    with pytest.raises(ProblemError) as period:
        d.create_draft(store, DISTRICT, "năm 2023", TEXT, user=hn)
    assert _codes(period) == ["invalid-period"]
    with pytest.raises(ProblemError) as empty:
        d.create_draft(store, DISTRICT, "2023", "\n\n", user=hn)
    assert _codes(empty) == ["empty-draft"]
    assert [x.created_by for x in d.drafts_of(store, DISTRICT, user=hn)[0]] == ["admin"]


# ---------------------------------------------------------------------- who reads


def test_read_access_is_scope_or_a_unit_below(loaded_store: Store) -> None:
    """The draft's unit in the user's scope, or the user's unit below the draft's unit."""
    store = loaded_store
    officer = officer_user(store)
    district = _draft(store, officer)
    commune = _draft(store, officer, COMMUNE)
    readers = [officer, admin_user(store), viewer_user(store),
               officer_user(store, "HN", "hn"), entry_user(store, DISTRICT, "district-entry"),
               entry_user(store, COMMUNE, "yenmy"), viewer_user(store, OTHER_COMMUNE, "daiang")]
    for user in readers:
        found, access = d.get_draft(store, district.id, user=user)
        assert (found.id, access.read, access.comment) == (district.id, True, True), user
    daiang = store.users.add("daiang-entry", PASSWORD, role="entry", unit=OTHER_COMMUNE)
    for action in (lambda: d.get_draft(store, commune.id, user=daiang),
                   lambda: d.drafts_of(store, COMMUNE, user=daiang),
                   lambda: d.comments_of(store, commune.id, user=daiang),
                   lambda: d.add_comment(store, commune.id, 1, 1, "x", user=daiang)):
        with pytest.raises(ProblemError, match=f"drafts of unit {COMMUNE}"):
            action()
    # The commune's users see the district's open consultations from their own unit.
    assert [x.id for x in d.open_drafts_above(store, COMMUNE, user=readers[5])] == [district.id]
    assert d.open_drafts_above(store, DISTRICT, user=daiang) == []


# ---------------------------------------------------------------------- comments


def test_comment_resolve_close(loaded_store: Store) -> None:
    store = loaded_store
    officer = officer_user(store)
    yenmy = entry_user(store, COMMUNE, "yenmy")
    viewer = viewer_user(store)
    draft = _draft(store, officer)

    comment = d.add_comment(store, draft.id, 1, 2, "  Đề nghị bổ sung số liệu quý IV.  ",
                            user=yenmy)
    assert (comment.text, comment.author, comment.author_unit, comment.state) == (
        "Đề nghị bổ sung số liệu quý IV.", "yenmy", COMMUNE, "open")
    other = d.add_comment(store, draft.id, 1, 4, "Số liệu thu cần cập nhật.", user=viewer)
    assert d.get_draft(store, draft.id, user=viewer)[0].open_comments == 2

    for paragraph, text, code in ((6, "x", "unknown-paragraph"), (0, "x", "unknown-paragraph"),
                                  (1, "   ", "empty-comment"),
                                  (1, "x" * (d.MAX_COMMENT + 1), "text-too-long"),
                                  (1, "Báo cáo\x01số 5", "control-character")):
        with pytest.raises(ProblemError) as bad:
            d.add_comment(store, draft.id, 1, paragraph, text, user=yenmy)
        assert _codes(bad) == [code]

    with pytest.raises(ProblemError, match="only the author"):
        d.resolve_comment(store, draft.id, comment.id, d.ACCEPTED, user=yenmy)
    with pytest.raises(ProblemError) as unknown:
        d.resolve_comment(store, draft.id, 9999, d.ACCEPTED, user=officer)
    assert _codes(unknown) == ["unknown-comment"] and unknown.value.status == 404
    with pytest.raises(ProblemError) as no_draft:
        d.add_comment(store, 9999, 1, 1, "x", user=yenmy)
    assert _codes(no_draft) == ["unknown-draft"] and no_draft.value.status == 404
    with pytest.raises(ProblemError) as note:
        d.resolve_comment(store, draft.id, comment.id, d.EXPLAINED, "  ", user=officer)
    assert _codes(note) == ["note-required"]
    with pytest.raises(ProblemError) as outcome:
        d.resolve_comment(store, draft.id, comment.id, "done", user=officer)
    assert _codes(outcome) == ["invalid-outcome"]
    resolved = d.resolve_comment(store, draft.id, comment.id, d.ACCEPTED, "Đã bổ sung.",
                                 user=officer)
    assert (resolved.state, resolved.note, resolved.resolved_by) == ("accepted", "Đã bổ sung.",
                                                                    "officer")
    with pytest.raises(ProblemError) as again:
        d.resolve_comment(store, draft.id, comment.id, d.ACCEPTED, user=officer)
    assert _codes(again) == ["already-resolved"]

    # A new version: comments go on it, not on the one it replaced.
    d.add_version(store, draft.id, CHANGED, user=officer)
    with pytest.raises(ProblemError) as old:
        d.add_comment(store, draft.id, 1, 2, "x", user=yenmy)
    assert _codes(old) == ["old-version"]
    d.add_comment(store, draft.id, 2, 5, "Bảng phụ lục: ghi rõ nguồn.", user=yenmy)
    assert [c.paragraph for c in d.comments_of(store, draft.id, user=viewer, version=2)] == [5]

    with pytest.raises(ProblemError, match="only the author"):
        d.close_draft(store, draft.id, user=viewer)
    closed = d.close_draft(store, draft.id, user=officer, note="Đủ ý kiến.")
    assert (closed.state, closed.closed_by, closed.closing_note) == ("closed", "officer",
                                                                     "Đủ ý kiến.")
    audits = store.audit.count()
    with pytest.raises(ProblemError) as late:
        d.add_comment(store, draft.id, 2, 1, "Góp ý muộn.", user=yenmy)
    assert _codes(late) == ["draft-closed"]
    assert "đã kết thúc lấy ý kiến" in late.value.problems[0].message_vi
    for action in (lambda: d.add_version(store, draft.id, TEXT, user=officer),
                   lambda: d.close_draft(store, draft.id, user=officer)):
        with pytest.raises(ProblemError, match="ended"):
            action()
    assert store.audit.count() == audits  # a refused action writes nothing

    # Open comments are still resolved after the consultation, by an officer of the unit.
    hn = officer_user(store, "HN", "hn")
    explained = d.resolve_comment(store, draft.id, other.id, d.EXPLAINED,
                                  "Số liệu chính thức có vào tháng 1.", user=hn)
    assert explained.state == "explained"

    history = store.audit.history("draft", str(draft.id))
    assert [a.action for a in reversed(history)] == [
        "create", "comment", "comment", "resolve", "version", "comment", "close", "resolve"]
    assert history[1].reason == "Đủ ý kiến."
    assert history[1].new == {"state": "closed", "open_comments": 2}
    assert history[0].key == f"{draft.id}|c{other.id}"
    assert history[0].new == {"state": "explained", "note": "Số liệu chính thức có vào tháng 1."}


def test_the_author_keeps_managing_the_draft(loaded_store: Store) -> None:
    """The author manages their draft while they may read it; another officer in scope
    may too."""
    store = loaded_store
    author = officer_user(store, COMMUNE, "commune-officer")
    draft = _draft(store, author, COMMUNE)
    assert d.get_draft(store, draft.id, user=author)[1].manage
    assert d.get_draft(store, draft.id, user=officer_user(store))[1].manage
    assert not d.get_draft(store, draft.id, user=viewer_user(store))[1].manage
    assert not d.get_draft(store, draft.id, user=entry_user(store))[1].manage
