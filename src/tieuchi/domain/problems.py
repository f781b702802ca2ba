"""Problems: the one way tieuchi says what is wrong, where, and how to fix it.

Every refusal — a definition folder, a figure or target written from a page, the API or a
file, a workflow step, a draft's comment, a backup — is a :class:`Problem`: a stable
``code`` from :data:`CATALOGUE`, its message in English and Vietnamese, the place a person
looks at, a severity and (from the catalogue) the HTTP status a request gets for it. A
:class:`ProblemError` carries one or more problems out of a command.

The place is given by whichever of these fits (:attr:`Problem.place` shows it):

- ``file`` and ``line``: ``thanh-tri/targets.yaml:8``, ``observations.csv:7``;
- ``at``: a place written out by the reader of a file, ``'Xã A'!E9`` (sheet and cell) or
  ``dvs.json:dataValues[3]``;
- ``field`` and ``index``: a field of a request, and the row of a bulk request
  (``entries[3].value``).

:data:`CATALOGUE` is documented, code by code, in ``docs/problems.md``; a test fails when the
two differ, and another when a catalogued code is never raised by the tests. A code that is
not catalogued cannot be raised: :class:`Problem` refuses it.
"""

from __future__ import annotations

import difflib
import reprlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from tieuchi.domain.periods import FIRST_YEAR, LAST_YEAR

__all__ = ["CATALOGUE", "Code", "Problem", "ProblemError", "Severity", "problem", "suggest",
           "quoted", "MAX_MESSAGE"]

MAX_MESSAGE = 2000
"""The longest message a problem keeps (characters); a longer one is cut, with "…"."""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Code:
    """A catalogued code: what it means, the HTTP status of a request refused with it, and —
    for the codes whose message is always the same sentence — English and Vietnamese
    templates whose ``{…}`` are filled from the problem's details (:func:`problem`)."""

    area: str
    summary: str
    status: int = 422
    en: str | None = None
    vi: str | None = None


_DEF, _RULE, _FILE, _FLOW, _DRAFT, _ACCESS, _BACKUP, _WEB = (
    "definitions", "figures and targets", "files", "workflow", "drafts",
    "users and access", "backups", "requests")

CATALOGUE: dict[str, Code] = {
    # ---------------------------------------------------------- definition folders
    "no-definitions": Code(_DEF, "The folder holds no definition file."),
    "yaml-syntax": Code(_DEF, "A YAML file cannot be parsed."),
    "yaml-limit": Code(_DEF, "A YAML file is larger, or uses more aliases or expands to more "
                             "values, than a definition file may."),
    "not-a-mapping": Code(_DEF, "A YAML file or section has the wrong shape."),
    "unknown-section": Code(_DEF, "A YAML file has a top-level key that is not a section."),
    "missing-field": Code(_DEF, "A required field is missing."),
    "unknown-field": Code(_DEF, "A field is not part of the definition."),
    "wrong-type": Code(_DEF, "A field's value has the wrong type."),
    "duplicate-code": Code(_DEF, "Two definitions share a code."),
    "duplicate-section": Code(_DEF, "The project or the report outline is given in two "
                                    "places."),
    "unknown-level": Code(_DEF, "A level code is not defined."),
    "unknown-criteria-set": Code(_DEF, "A criteria set code is not defined."),
    "unknown-group": Code(_DEF, "A target group code is not defined."),
    "unknown-basis": Code(_DEF, "A target's or group's basis is neither built in (plan, "
                                "budget, quota, resolution) nor declared under 'bases:'."),
    "unknown-target": Code(_DEF, "A target key is not defined."),
    "hierarchy-cycle": Code(_DEF, "Units are their own ancestors."),
    "set-cycle": Code(_DEF, "Criteria sets depend on each other in a cycle."),
    "unknown-dimension-value": Code(_DEF, "A threshold names a region or group the set does "
                                          "not declare."),
    "missing-threshold": Code(_DEF, "A unit's region or group has no threshold."),
    "missing-dimension": Code(_DEF, "A unit lacks the attribute a set's thresholds depend "
                                    "on."),
    "missing-unit-or-period": Code(_DEF, "A target outside a group gives no unit or no "
                                         "period."),
    "unit-not-valid": Code(_DEF, "A target or observation is for a unit outside its "
                                 "validity dates."),
    "empty-group": Code(_DEF, "A target group has no target."),
    "component-cycle": Code(_DEF, "Indicators are made of components that come back to "
                                  "themselves."),
    "target-period": Code(_DEF, "A target in a group is for a period outside the group's "
                                "period."),
    "set-applies-to-nothing": Code(_DEF, "A criteria set is evaluated for no unit."),
    "set-not-in-force": Code(_DEF, "A criteria set is not in force in the project's period, "
                                   "so it is not evaluated for it."),
    "derived-in-dataset": Code(_DEF, "A data set lists an indicator the engine computes."),
    "highlight-not-stated": Code(
        _DEF, "A report highlight or indicator item the project's period cannot state: no "
              "target of the period and no figure within it.",
        en="'{key}' cannot be stated for {period}: {why}; add figures of {period} for "
           "'{indicator}' (of {unit}) or name a target of {period}",
        vi="'{key}' không nêu được trong kỳ {period}: {why_vi}; nhập số liệu kỳ {period} của "
           "'{indicator}' ({unit}) hoặc chọn một chỉ tiêu của kỳ {period}"),
    "state-not-possible": Code(
        _DEF, "A report highlight or item states a figure as a count (state: fraction, "
              "count_share, count) that its indicator cannot give.",
        en="'{key}' cannot be stated as {state}: indicator '{indicator}' {why}; state a ratio "
           "indicator (rollup: ratio, numerator, denominator) or remove state",
        vi="'{key}' không nêu được dạng {state}: chỉ tiêu '{indicator}' {why_vi}; chọn một "
           "chỉ tiêu tỷ lệ (rollup: ratio, numerator, denominator) hoặc bỏ state"),
    "base-without-data": Code(
        _DEF, "A relative target's base period (the same period last year) has no figure "
              "while the whole year has.",
        en="the target for '{indicator}' ({period}) is compared with {base}, which has no "
           "figure of '{indicator}'; {year} has: write baseline: \"{year}\" to compare with "
           "the year",
        vi="chỉ tiêu '{indicator}' ({period}) so với kỳ {base}, kỳ này chưa có số liệu "
           "'{indicator}'; năm {year} có: ghi baseline: \"{year}\" để so với cả năm"),
    "unknown-heading": Code(_DEF, "A narrative file (narrative/{unit}/{period}.md) has a "
                                  "heading that is not a narrative section."),
    "duplicate-heading": Code(_DEF, "A narrative file has the same section twice."),
    "narrative-outside": Code(_DEF, "A narrative file has text before its first section "
                                    "heading."),
    "narrative-file": Code(_DEF, "A narrative file is not under narrative/{unit}/ or is not "
                                 "named after a period."),
    "split-weights": Code(
        _DEF, "A split unit's weights are not one positive weight for each of its successors.",
        en="unit '{unit}' is split among {successors} but its split weights {why}; give one "
           "weight above 0 for each: split: {{by: dân số, source: …, weights: {example}}}",
        vi="đơn vị '{unit}' được chia cho {successors} nhưng trọng số chia {why_vi}; ghi "
           "một trọng số lớn hơn 0 cho mỗi đơn vị: split: {{by: dân số, source: …, weights: "
           "{example}}}"),
    "duplicate-official-code": Code(
        _DEF, "Two units in force at the same time share an official (GSO) code.",
        en="units '{unit}' and '{other}' (at {other_place}) share the official code "
           "'{official_code}' and are both in force {overlap}; one place has one code at a "
           "time: remove one of them, or end one's validity (valid_to) before the other's "
           "starts (valid_from)",
        vi="đơn vị '{unit}' và '{other}' (tại {other_place}) cùng mã đơn vị hành chính "
           "'{official_code}' và cùng có hiệu lực {overlap_vi}; mỗi mã chỉ của một đơn vị tại "
           "một thời điểm: bỏ một trong hai đơn vị, hoặc cho một đơn vị hết hiệu lực "
           "(valid_to) trước khi đơn vị kia có hiệu lực (valid_from)"),
    "split-one-successor": Code(
        _DEF, "A unit declares how it is split (split) but has fewer than two successors.",
        en="unit '{unit}' declares a split but has {count} successor(s); a split shares a "
           "unit's figures among two or more successors: list them under successors or "
           "remove split",
        vi="đơn vị '{unit}' khai báo chia tách (split) nhưng chỉ có {count} đơn vị kế thừa; "
           "chia tách là chia số liệu cho từ hai đơn vị kế thừa trở lên: liệt kê chúng ở "
           "successors hoặc bỏ split"),
    "split-undeclared": Code(
        _DEF, "A unit with two or more successors declares no split weights: its figures "
              "are not carried to them.",
        en="unit '{unit}' has {count} successors ({successors}); its figures are not carried "
           "to {successors} until you declare split weights: split: {{by: dân số, source: …, "
           "weights: {example}}}",
        vi="đơn vị '{unit}' có {count} đơn vị kế thừa ({successors}); số liệu của đơn vị "
           "chưa được chuyển cho {successors} cho đến khi khai báo trọng số chia: split: "
           "{{by: dân số, source: …, weights: {example}}}"),
    # ---------------------------------------------------------- figures and targets
    "invalid-value": Code(
        _RULE, "A value is not allowed: not a finite number, or not one of a field's values.",
        en="{field} {value} is not a finite number",
        vi="{field} {value} không phải là một số hữu hạn"),
    "yesno-value": Code(
        _RULE, "A yes/no value (or target) is not 1 or 0 (in a workbook: Đạt, Chưa đạt, 1 "
               "or 0).",
        en="{value} is not a yes/no value for {indicator}; write 1 (yes) or 0 (no)",
        vi="{value} không phải giá trị có/không của chỉ tiêu {indicator}; ghi 1 (có) hoặc 0 "
           "(không)"),
    "percent-range": Code(
        _RULE, "A percentage is not between 0 and 100.",
        en="{value} is not a percentage for {indicator}; a percentage is between 0 and 100",
        vi="{value} không phải tỷ lệ phần trăm của chỉ tiêu {indicator}; tỷ lệ phần trăm phải "
           "từ 0 đến 100"),
    "count-value": Code(
        _RULE, "A count is not a whole number, 0 or more.",
        en="{value} is not a count for {indicator}; a count is a whole number, 0 or more",
        vi="{value} không phải số lượng của chỉ tiêu {indicator}; số lượng phải là số nguyên "
           "không âm"),
    "value-range": Code(
        _RULE, "A value or a target is outside its indicator's range (its min and max; 0 or "
               "more when it declares none).",
        en="{field} {value} is outside the range of {indicator} ({range}); {fix}",
        vi="{field} {value} nằm ngoài khoảng giá trị của chỉ tiêu {indicator} ({range_vi}); "
           "{fix_vi}"),
    "value-too-large": Code(
        _RULE, "A value or a target is 10^15 or more in absolute value.",
        en="{field} {value} is too large; a number is less than 10^15 "
           "(1,000,000,000,000,000) in absolute value",
        vi="{field} {value} quá lớn; giá trị tuyệt đối của một số phải nhỏ hơn 10^15 "
           "(1.000.000.000.000.000)"),
    "text-too-long": Code(
        _RULE, "A text field is longer than its limit (docs/api.md, \"Limits\").",
        en="{label} ({field}) is {length} characters long; it holds at most {limit} — "
           "shorten it",
        vi="{label_vi} ({field}) dài {length} ký tự; tối đa {limit} ký tự — hãy rút gọn"),
    "control-character": Code(
        _RULE, "A text field holds a control character or a lone surrogate (line breaks "
               "only in notes, reasons and comments).",
        en="{label} ({field}) holds the control character {character}; remove it (line "
           "breaks only in a note, a reason or a comment)",
        vi="{label_vi} ({field}) chứa ký tự điều khiển {character}; hãy xóa ký tự này (chỉ "
           "ghi chú, lý do và góp ý được xuống dòng)"),
    "period-too-fine": Code(
        _RULE, "A period is finer than the indicator is collected for.",
        en="'{indicator}' is collected by {frequency}, not for {period}; use a longer period "
           "or change the indicator's frequency",
        vi="chỉ tiêu '{indicator}' thu thập theo {frequency_vi}, không theo kỳ {period}; dùng "
           "kỳ dài hơn hoặc đổi tần suất của chỉ tiêu"),
    "invalid-period": Code(
        _RULE, "A period code cannot be read, or names a year outside "
               f"{FIRST_YEAR}–{LAST_YEAR}.",
        en="{field} '{period}' is not a period; write 2023, 2023-H1, 2023-Q3, 2023-05, "
           f"2023-YTD09 or 2021-2025, with years from {FIRST_YEAR} to {LAST_YEAR}",
        vi="{field} '{period}' không phải kỳ báo cáo hợp lệ (ví dụ 2023, 2023-H1, 2023-Q3, "
           f"2023-05, 2023-YTD09, 2021-2025; năm từ {FIRST_YEAR} đến {LAST_YEAR})"),
    "target-kind": Code(
        _RULE, "A target gives both or neither of a comparator and a relative target.",
        en="give either a comparator (at_least, at_most, equal, within, yes) with value, or "
           "a relative target (growth, reduction, reduction_pp, share_of_baseline) with "
           "relative_value",
        vi="cần đúng một trong hai: so sánh (comparator: at_least, at_most, equal, within, "
           "yes; với value) hoặc tương đối (relative: growth, reduction, reduction_pp, "
           "share_of_baseline; với relative_value)"),
    "missing-value": Code(
        _RULE, "A target gives no value for its comparator or relative target.",
        en="the target has no {field}", vi="chỉ tiêu chưa có giá trị {field}"),
    "missing-value-high": Code(
        _RULE, "A range target gives no upper value.",
        en="a range (within) needs value_high", vi="khoảng giá trị (within) cần value_high"),
    "range-order": Code(
        _RULE, "A range target's upper value is below its lower value.",
        en="the range's upper value {value_high} is below its lower value {value}",
        vi="cận trên {value_high} của khoảng nhỏ hơn cận dưới {value}"),
    "baseline-without-relative": Code(
        _RULE, "A target gives a baseline without a relative target.",
        en="a baseline only goes with a relative target (growth, reduction, reduction_pp, "
           "share_of_baseline)",
        vi="mức cơ sở chỉ dùng cho chỉ tiêu tương đối (tăng, giảm, giảm điểm phần trăm, tỷ lệ "
           "so với mức cơ sở)"),
    "negative-tolerance": Code(
        _RULE, "A target's tolerance is below 0.",
        en="the tolerance {tolerance} is below 0; give 0 or more",
        vi="sai số cho phép {tolerance} nhỏ hơn 0; ghi 0 hoặc lớn hơn"),
    "allocation-rule": Code(
        _RULE, "A target's allocation rule is not exactly, at_least or at_most, or is given "
               "to a target that is not split among the units below (a relative target, a "
               "range, a yes/no target).",
        en="the allocation rule '{allocation}' is not one of exactly, at_least, at_most, or "
           "the target is not a number at least, at most or equal to split among the units "
           "below",
        vi="quy tắc phân bổ '{allocation}' không phải exactly, at_least hoặc at_most, hoặc chỉ "
           "tiêu không phải dạng số (không thấp hơn, không vượt quá, bằng) để phân bổ cho đơn "
           "vị trực thuộc"),
    "target-comparator": Code(
        _RULE, "A target's comparator does not fit its indicator.",
        en="'{indicator}' is a {type_en} indicator; {fix}",
        vi="chỉ tiêu '{indicator}' thuộc loại {type_vi}; {fix_vi}"),
    "computed-indicator": Code(_RULE, "A figure is given for an indicator the engine computes "
                                      "(from components or a criteria set)."),
    "unknown-unit": Code(_RULE, "A unit code is not in the hierarchy."),
    "unknown-indicator": Code(_RULE, "An indicator code is not in the catalogue."),
    "invalid-vintage": Code(_RULE, "A vintage is not plan, estimate, preliminary or "
                                   "official."),
    "duplicate-observation": Code(_RULE, "The same figure (unit, indicator, period, vintage) "
                                         "is given twice."),
    "duplicate-target": Code(_RULE, "Two targets have the same key."),
    "stale-figure": Code(
        _RULE, "A figure changed after the writer read it (the value it expected is not the "
               "one held): nothing of the request is written; the problem gives the value "
               "held now.", 409,
        en="The figure was {change_en} by {actor} at {at_en} after you read it; check it and "
           "save again",
        vi="Số liệu đã được {actor} {change_vi} lúc {at_vi}; kiểm tra rồi lưu lại"),
    "key-in-use": Code(_RULE, "A target key already names the target of another unit, "
                              "indicator or period.", 409),
    "not-allocatable": Code(_RULE, "A target cannot be split among the units below (not a "
                                   "number target of an indicator that adds up)."),
    "allocation-units": Code(_RULE, "An allocation does not give a part to exactly the units "
                                    "directly below."),
    "allocation-mismatch": Code(_RULE, "The parts of an allocation do not add up to the "
                                       "target as its allocation rule asks (exactly, at "
                                       "least, at most)."),
    # ---------------------------------------------------------- files
    "unreadable-file": Code(_FILE, "The file cannot be read as the kind of file it should "
                                   "be."),
    "too-large": Code(_FILE, "The file is larger, or unpacks to or holds more (rows, columns, "
                             "cells), than the import accepts.", 413),
    "unsafe-xml": Code(_FILE, "An XML part of the file declares a DTD or entities, which are "
                              "not read."),
    "csv-header": Code(_FILE, "A CSV file lacks a required column or has an unknown one."),
    "csv-value": Code(_FILE, "A CSV cell is empty or cannot be read."),
    "unknown-shipped-set": Code(
        _FILE, "No criteria set shipped with tieuchi has this name (tieuchi criteria list).", 404),
    "shipped-set-exists": Code(
        _FILE, "Adding a shipped criteria set would overwrite a file of the folder.", 409),
    "shipped-set-invalid": Code(
        _FILE, "A shipped criteria set would make the folder invalid; nothing was written."),
    "missing-metadata": Code(_FILE, "The workbook has no tieuchi metadata sheet: it was not "
                                    "made by `tieuchi template`."),
    "bad-metadata": Code(_FILE, "A cell of the metadata sheet cannot be used."),
    "wrong-sheet": Code(_FILE, "A sheet is not one the template made, a sheet of the "
                               "template is missing, or a sheet is for a unit the import does "
                               "not cover."),
    "wrong-header": Code(_FILE, "The header row of a sheet was changed."),
    "merged-cells": Code(_FILE, "Cells of the data area are merged."),
    "formula-not-computed": Code(_FILE, "A formula has no computed value saved with it."),
    "not-a-number": Code(_FILE, "A value is not a number."),
    "unit-of-measure": Code(_FILE, "A value or the Đơn vị tính column names another unit of "
                                   "measure than the indicator's."),
    "not-in-dataset": Code(_FILE, "An indicator is not part of the template's data set."),
    "missing-indicator": Code(_FILE, "A row with a value names no indicator."),
    "name-mismatch": Code(_FILE, "A row's indicator name is not the name of its code."),
    "duplicate-row": Code(_FILE, "The same indicator is given twice on a sheet."),
    "changed-since-template": Code(_FILE, "A figure changed in the database after the "
                                          "template was made (warning)."),
    "invalid-target": Code(_FILE, "A target row is not a valid target."),
    "mapping": Code(_FILE, "The DHIS2 mapping file is not valid."),
    "unmapped": Code(_FILE, "A code has no counterpart in the DHIS2 mapping."),
    "dhis2-period": Code(_FILE, "A period has no DHIS2 counterpart, or a DHIS2 period no "
                                "tieuchi one."),
    "dhis2-value": Code(_FILE, "A DHIS2 data value cannot be read."),
    "invalid-option": Code(_FILE, "An option of the command or the page cannot be used."),
    "resolution-table": Code(_FILE, "A resolution's file has no table of targets (a header "
                                    "row with Chỉ tiêu and Đơn vị tính or Kế hoạch)."),
    "resolution-value": Code(_FILE, "A target row's value in a resolution's table cannot be "
                                    "read as a target."),
    "resolution-unmatched": Code(_FILE, "A row of a resolution's table matches no indicator "
                                        "well enough (warning: the row is not imported)."),
    "unknown-admin-unit": Code(_FILE, "A province, commune or (pre-2025) district name or "
                                      "code is not among the published administrative units "
                                      "tieuchi ships (`tieuchi units`, `tieuchi init`)."),
    "ambiguous-admin-unit": Code(_FILE, "A name is shared by several published "
                                        "administrative units: give the province, or the "
                                        "code."),
    # ---------------------------------------------------------- workflow
    "locked": Code(_FLOW, "The unit's data set for the period is locked; an administrator "
                          "must reopen it, giving a reason.", 409),
    "submitted": Code(_FLOW, "The unit's data set for the period was submitted to the level "
                             "above.", 409),
    "approved": Code(_FLOW, "The unit's data set for the period was approved.", 409),
    "invalid-action": Code(_FLOW, "A workflow step is not one of submit, approve, return, "
                                  "lock or reopen."),
    "unknown-dataset": Code(_FLOW, "A data set code is not defined, or the unit does not "
                                   "report it."),
    "wrong-period-kind": Code(_FLOW, "A data set is not reported for a period of that kind."),
    "reason-required": Code(_FLOW, "A step that needs a reason (return, reopen) was given "
                                   "none."),
    "wrong-state": Code(_FLOW, "The workflow step does not apply to the data set's state.",
                        409),
    # ---------------------------------------------------------- drafts
    "unknown-draft": Code(_DRAFT, "A draft number does not exist.", 404),
    "draft-open": Code(_DRAFT, "A consultation is already open for the unit and period.",
                       409),
    "draft-closed": Code(_DRAFT, "The draft's consultation has ended.", 409),
    "empty-draft": Code(_DRAFT, "A report with no text cannot be put out for comments."),
    "unchanged": Code(_DRAFT, "A new version is the same as the last one.", 409),
    "unknown-version": Code(_DRAFT, "A version of the draft does not exist.", 404),
    "old-version": Code(_DRAFT, "A comment is on a version that is no longer the latest.",
                        409),
    "unknown-paragraph": Code(_DRAFT, "A paragraph number is not in the version."),
    "empty-comment": Code(_DRAFT, "A comment has no text."),
    "invalid-outcome": Code(_DRAFT, "A comment's outcome is not accepted, explained or "
                                    "declined."),
    "note-required": Code(_DRAFT, "An outcome that needs a note was given none."),
    "unknown-comment": Code(_DRAFT, "A comment number does not exist.", 404),
    "already-resolved": Code(_DRAFT, "The comment was already resolved.", 409),
    # ---------------------------------------------------------- users and access
    "weak-password": Code(_ACCESS, "A password is too short or too common."),
    "missing-unit": Code(_ACCESS, "A user's role works on a unit, and none was given."),
    "duplicate-user": Code(_ACCESS, "A user name is taken.", 409),
    "unknown-user": Code(_ACCESS, "A user name does not exist.", 404),
    "too-many-logins": Code(_ACCESS, "Too many failed logins: signing in waits.", 429),
    "wrong-password": Code(_ACCESS, "The current password, asked for to change it, is wrong.",
                           en="the current password is wrong",
                           vi="mật khẩu hiện tại không đúng"),
    "unknown-token": Code(_ACCESS, "An API token number does not exist (or is not yours).",
                          404, en="there is no API token number {token}",
                          vi="không có mã truy cập (token) số {token}"),
    "forbidden": Code(_ACCESS, "Outside the user's scope or role.", 403),
    "system-only": Code(_ACCESS, "Only the command line (the system actor) may do this.",
                        403),
    "not-signed-in": Code(_ACCESS, "No valid session or bearer token.", 401),
    "csrf": Code(_ACCESS, "A request with a session has no valid CSRF token.", 403),
    # ---------------------------------------------------------- backups
    "cannot-write": Code(_BACKUP, "The archive file cannot be written."),
    "no-schema": Code(_BACKUP, "The database has no tieuchi tables."),
    "not-at-head": Code(_BACKUP, "The database is not at the code's schema revision."),
    "bad-archive": Code(_BACKUP, "The file is not a tieuchi archive."),
    "bad-checksum": Code(_BACKUP, "A table of the archive does not match its checksum."),
    "newer-format": Code(_BACKUP, "The archive was written by a newer tieuchi."),
    "wrong-revision": Code(_BACKUP, "The archive is of another schema revision."),
    "not-empty": Code(_BACKUP, "A restore needs an empty database."),
    "missing-table": Code(_BACKUP, "A table of the schema is missing from the archive."),
    "unknown-table": Code(_BACKUP, "The archive holds a table the schema does not have."),
    "insert-failed": Code(_BACKUP, "The rows of a table cannot be restored."),
    # ---------------------------------------------------------- requests
    "invalid-request": Code(_WEB, "A request's field has the wrong shape."),
    "not-found": Code(_WEB, "No such page, unit, indicator, set or report.", 404),
    "method-not-allowed": Code(_WEB, "The address does not take that method.", 405),
    "http-error": Code(_WEB, "Another HTTP error.", 400),
    "request-too-large": Code(
        _WEB, "A request's body is larger than the web accepts (TIEUCHI_MAX_REQUEST_MB).", 413,
        en="the request is larger than {mb} MB; send less at once (a file: split it)",
        vi="yêu cầu gửi lên lớn hơn {mb} MB; hãy gửi ít hơn mỗi lần (tệp: chia nhỏ tệp)"),
    "no-such-table": Code(
        _WEB, "A table export names a page that has no such table (or no page).", 404,
        en="this page has no such table to download; open the page and use the links under "
           "its tables",
        vi="trang này không có bảng đó để tải về; hãy mở trang và dùng các liên kết dưới "
           "mỗi bảng"),
    "busy": Code(_WEB, "Every database connection is in use: retry after the given seconds.",
                 503),
    "database-busy": Code(
        _WEB, "Another load (or a long write) held the values to write for too long.", 503,
        en="another load is running (the values to write stayed locked for {seconds} s); "
           "run it again later",
        vi="một lần nạp khác đang chạy (số liệu cần ghi bị khóa quá {seconds} giây); chạy "
           "lại sau"),
}
"""Every problem code, with its meaning, HTTP status and (for some) message templates."""


@dataclass(frozen=True)
class Problem:
    """One problem: its code, its message in English and Vietnamese, where it is."""

    code: str
    message: str
    message_vi: str = ""
    file: str | None = None
    line: int | None = None
    at: str | None = None
    field: str | None = None
    index: int | None = None
    severity: Severity = Severity.ERROR

    def __post_init__(self) -> None:
        if self.code not in CATALOGUE:
            raise ValueError(f"undocumented problem code {self.code!r}"
                             f"{suggest(self.code, CATALOGUE)}")
        if not self.message_vi:
            object.__setattr__(self, "message_vi", self.message)
        for name in ("message", "message_vi"):  # no message carries an unbounded value
            text = getattr(self, name)
            if len(text) > MAX_MESSAGE:
                object.__setattr__(self, name, text[:MAX_MESSAGE - 1] + "…")

    @classmethod
    def located(cls, place: str, code: str, message: str, message_vi: str = "",
                severity: Severity = Severity.ERROR) -> Problem:
        """The problem ``code`` at a place written out by the reader of a file
        (``'Xã A'!E9``, ``dvs.json:dataValues[3]``, ``observations.csv:7``)."""
        return cls(code, message, message_vi, at=place, severity=severity)

    def placed(self, places: Sequence[str], default: str) -> Problem:
        """This problem of the ``index``-th row of a request, at the place that row came
        from (``places[index]``; ``default`` when it has no row)."""
        inside = self.index is not None and 0 <= self.index < len(places)
        return replace(self, at=places[self.index] if inside else default)  # type: ignore[index]

    @property
    def status(self) -> int:
        """The HTTP status of a request refused with this problem."""
        return CATALOGUE[self.code].status

    @property
    def place(self) -> str:
        """Where it is, as a person looks for it: ``file:line``, ``Sheet!E9``,
        ``entries[3].value``, or ``""`` when the problem is about the whole request."""
        if self.at is not None:
            return self.at
        if self.file is not None:
            return f"{self.file}:{self.line}" if self.line else self.file
        if self.index is not None:
            return f"[{self.index}]" + (f".{self.field}" if self.field else "")
        return self.field or ""

    def text(self, lang: str = "vi") -> str:
        """``place: message`` in ``lang``."""
        message = self.message_vi if lang == "vi" else self.message
        return f"{self.place}: {message}" if self.place else message

    def __str__(self) -> str:
        return f"{self.place or '-'}: {self.severity.value} {self.code} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The problem as JSON: every field, the place and the status."""
        return {"code": self.code, "severity": self.severity.value, "message": self.message,
                "message_vi": self.message_vi, "place": self.place, "file": self.file,
                "line": self.line, "field": self.field, "index": self.index,
                "status": self.status}


def problem(code: str, details: Mapping[str, Any] | None = None, /, **place: Any) -> Problem:
    """The problem ``code`` with its catalogue templates filled from ``details`` (absent
    ones left blank); ``place`` gives ``file``, ``line``, ``at``, ``field``, ``index`` or
    ``severity``."""
    entry = CATALOGUE[code]
    if entry.en is None or entry.vi is None:
        raise ValueError(f"problem code {code!r} has no message template")
    shown = _Blank({k: _shown(v) for k, v in (details or {}).items()})
    return Problem(code, entry.en.format_map(shown), entry.vi.format_map(shown), **place)


class ProblemError(Exception):
    """A command refused: ``problems`` holds every reason (at least one)."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("a ProblemError needs at least one problem")
        super().__init__("; ".join(str(p) for p in self.problems[:5]))

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def status(self) -> int:
        """The HTTP status of the refusal: the most specific among the errors (403 before
        409 before 404 before 422)."""
        statuses = {p.status for p in self.errors or self.problems}
        for status in (401, 403, 429, 503, 409, 413, 404, 405):
            if status in statuses:
                return status
        return 422 if 422 in statuses else min(statuses)

    def message(self, lang: str = "vi") -> str:
        """Every problem's text, one after the other."""
        return "; ".join(p.text(lang) for p in self.problems)


def suggest(word: str, choices: Iterable[str]) -> str:
    """" Did you mean 'x'?" for the closest choice, or "" when none is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _shown(value: Any) -> str:
    if isinstance(value, float):
        return {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(f"{value:g}",
                                                                        f"{value:g}")
    text = "" if value is None else str(value)
    return text if len(text) <= _SHORT.maxstring else text[:_SHORT.maxstring - 1] + "…"


class _Short(reprlib.Repr):
    """``repr`` cut short, also for subclasses of dict and list (YAML's mappings with their
    lines), which :class:`reprlib.Repr` would otherwise hand to the full ``repr``."""

    def __init__(self) -> None:
        super().__init__()
        self.maxstring = self.maxother = 80
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = 6
        self.maxlevel = 3

    def repr1(self, x: Any, level: int) -> str:
        if isinstance(x, str):
            return self.repr_str(x, level)
        if isinstance(x, dict):
            return self.repr_dict(x, level)
        if isinstance(x, list):
            return self.repr_list(x, level)
        if isinstance(x, tuple):
            return self.repr_tuple(x, level)
        return super().repr1(x, level)


_SHORT = _Short()


def quoted(value: Any) -> str:
    """``repr(value)`` cut to a readable length, for a value quoted in a message: a string
    past 80 characters, a list past 6 items, a mapping nested past 3 levels end in "…"."""
    return _SHORT.repr(value)
