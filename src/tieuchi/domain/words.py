"""The words of a report, in Vietnamese and English: labels and sentence pieces.

Each language is one :class:`Words`; the report code picks it from :data:`WORDS` and never
writes a word of its own.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from tieuchi.domain.project import phrase_placeholders

__all__ = ["Words", "WORDS", "with_phrases", "PHRASE_KEYS"]


@dataclass(frozen=True)
class Words:
    lang: str
    status: dict[str, str]
    pace: dict[str, str]
    basis_year: str  # "{short} năm": "đạt 86,47% kế hoạch năm", "104,8% dự toán năm"
    comparator: dict[str, str]  # a table's cell: "≥ 856", "tăng ≥ 12%"
    comparator_text: dict[str, str]  # in a sentence: "từ {v} trở lên", "tăng từ {v} trở lên"
    vintage: dict[str, str]
    increase: str
    decrease: str
    points: str
    vs_same_period: str  # "so với cùng kỳ"
    vs_same_period_year: str  # "so với năm {year}" (a whole year)
    achieved_all: str  # "Hoàn thành đạt và vượt {n}/{total} {name}"
    achieved_some: str  # "Có {n}/{total} {name} {estimate}đạt và vượt {basis}"
    achieved_pace: str  # "Có {n}/{total} {name} đạt và vượt tiến độ {period}"
    behind_list: str  # "{n} chỉ tiêu chậm tiến độ: {names}"
    not_met_list: str  # "{n} chỉ tiêu chưa đạt: {names}"
    no_data_list: str
    no_base_list: str  # "{n} chỉ tiêu chưa có số liệu so sánh: {names}"
    estimate_full_year: str  # "ước thực hiện cả năm "
    reached: str  # "đạt"
    is_: str  # "là"
    is_estimate: str  # "ước là"
    percent_below: str  # "bằng {pct} {basis}"
    plan_relative: str  # "(kế hoạch: {target})"
    reached_estimate: str  # "ước đạt"
    percent_of: str  # "đạt {pct} {basis}"
    quota: str  # "{name} đạt {pct} {basis} ({actual}/{target}{measure})"
    yes_done: str
    yes_not_done: str
    multi_year_target: str  # "chỉ tiêu {period} ({target})"
    multi_year_issuer: str  # "chỉ tiêu {period} được {issuer} giao ({target})"
    milestones: str  # "{name}: đã hoàn thành {n}/{total} nội dung: {names}"
    milestones_open: str  # "đang thực hiện: {names}"
    milestones_missed: str  # "chưa hoàn thành: {names}"
    illustrative: str
    # some criteria of a set not read in the legal text: their rows of the set's table
    unverified_one: str  # "Ghi chú: ngưỡng của {term} số {numbers} chưa được đối chiếu …"
    unverified_many: str  # "Ghi chú: ngưỡng của các {term} số {numbers} …"
    # sets whose results the report states without their table, some criteria not verified
    unverified_sets_one: str  # "Ghi chú: bộ tiêu chí {names} chưa được đối chiếu đầy đủ …"
    unverified_sets_many: str  # "Ghi chú: các bộ tiêu chí {names} …"
    exceeded_target: str
    met_target: str
    not_met_target: str
    years_early: str  # "về đích trước {n} năm"
    set_summary: str  # "{passed}/{total} {noun} {phrase}"
    set_default_phrase: str  # "đạt {name}"
    set_at_least_phrase: str  # "đạt từ {k}/{n} {term} trở lên"
    set_unit: str  # "{unit} đạt {met}/{total} {term} {name}"
    set_unmet: str  # "còn {n} {term} chưa đạt là: {names}"
    set_no_data: str  # "{n} {term} chưa có số liệu: {names}"
    nothing_yet: str  # "{name}: chưa có số liệu"
    negation: str  # "chưa"
    met_of: str  # "đạt {met}/{total} {term}"
    assessment: str  # "Kết quả đánh giá {name} ({who})"
    units_no_data: str  # "{n} {noun} chưa có số liệu: {names}"
    title: str  # "Báo cáo kết quả thực hiện các chỉ tiêu {period}"
    data_note: str  # "Số liệu {vintage} đến {date}."
    source: str
    appendix: str
    appendix_criteria: str
    chart: str  # "Biểu đồ {n}: Tỷ lệ thực hiện so với {basis} – {name}", under a chart
    # The document's header and closing (Nghị định 30/2020/NĐ-CP, Phụ lục I)
    motto: str  # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto_sub: str  # "Độc lập - Tự do - Hạnh phúc"
    number_line: str  # "Số: {number}/{symbol}"
    place_date: str  # "{place}, {date}"
    document_kind: str  # "BÁO CÁO"
    title_prefix: str  # "Báo cáo ": cut from the title to make the subtitle
    recipients: str  # "Nơi nhận:"
    attachment: str  # "(Kèm theo Báo cáo số {number} ngày {date} của {issuer})"
    attachment_plain: str  # "(Kèm theo Báo cáo ngày {date} của {issuer})"
    # A Party committee's header (Hướng dẫn 36-HD/VPTW): its title in place of the motto
    party_title: str  # "ĐẢNG CỘNG SẢN VIỆT NAM"
    party_number_line: str  # "Số {number}-{symbol}"
    # A report on a period long past: the signer writes the day and month
    undated: str  # "ngày … tháng … năm …": the signer writes the date
    undated_short: str  # "…/…/…", in "(Kèm theo Báo cáo … ngày …)"
    data_note_past: str  # "Số liệu {vintage} {period}, cập nhật đến {date}."
    # The sections of a unit's default outline (no item of the outline is about the unit)
    section_targets: str  # "Kết quả thực hiện các chỉ tiêu {period}"
    section_sets: str  # "Kết quả đánh giá theo các bộ tiêu chí"
    # The narrative's sections (tieuchi.domain.narrative), after the figures' sections
    narrative: dict[str, str]  # code → title: "Phương hướng, nhiệm vụ {next}"
    cause: str  # "Nguyên nhân ({name})": before a target's cause, after its sentence
    # Statement forms (docs/reports.md)
    ratio_vs: str = ""  # "bằng {pct} {vs}": the ratio to the same period last year
    base_same_period: str = ""  # "cùng kỳ năm trước": {base} of ratio_vs, a part of a year
    vs_same_period_named: str = ""  # "so với cùng kỳ năm {year}": part of a year, its year named
    base_year: str = ""  # "năm {year}": {base} of ratio_vs, a whole year
    excess_quantity: str = ""  # "vượt {amount} so với {basis}"
    excess_percent: str = ""  # "vượt {pct} {basis}"
    not_met_count: str = ""  # "{n} chỉ tiêu chưa đạt": when the achieved ones are named
    set_failed: str = ""  # "{n} {noun} {phrase}: {names}": the exceptions named
    set_negated: str = ""  # "chưa {phrase}": a set's phrase denied ("đã " dropped)
    past: str = ""  # "đã ": dropped from a phrase before it is denied
    # The count behind a figure (a highlight's or item's ``state``)
    whole_unit: str = ""  # "toàn {kind}": whose count, for the report's own unit
    other_unit: str = ""  # "{name}": whose count, for another unit ("Huyện H")
    count_fraction: str = ""  # "{scope} có {n}/{total} {name}, tương đương {pct}"
    count_share: str = ""  # "{scope} có {n} {name}, chiếm tỷ lệ {pct}"
    count_of: str = ""  # "{scope} có {n} {name}"
    change_only: str = ""  # "{name} {estimate}{change}": the change alone (state: change)
    estimated: str = ""  # "ước ": before an estimated change
    # Figures re-based on the units after a merger or split (tieuchi.engine.succession)
    vs_period: str = ""  # "so với {period}": a change on a target's baseline period
    no_comparison: str = ""  # "không có số liệu so sánh": a relative target without its base
    rebased_note: str = ""  # "Số liệu {periods} của {unit} được tính lại theo địa giới mới: …"
    rebased_whole: str = ""  # "số liệu của {names}": the units merged whole
    rebased_share: str = ""  # "{share} số liệu của {name} (chia theo {by}, nguồn: {source})"
    split_by: dict[str, str] = field(default_factory=dict)  # a split's basis: "dân số" → …
    # Whether a statement's min_digits applies: "09 đơn vị" is Vietnamese official usage; an
    # English report writes "9"
    pads_counts: bool = True
    columns: dict[str, str] = field(default_factory=dict)
    numerals: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


VI = Words(
    lang="vi",
    status={"exceeded": "Vượt", "met": "Đạt", "not_met": "Không đạt",
            "no_data": "Chưa có số liệu"},
    pace={"ahead": "Vượt tiến độ", "on_track": "Đúng tiến độ", "behind": "Chậm tiến độ"},
    basis_year="{short} năm",
    comparator={"at_least": "≥", "at_most": "≤", "equal": "=", "within": "trong khoảng",
                "yes": "Có", "no": "Không", "growth": "tăng ≥", "reduction": "giảm ≥",
                "reduction_pp": "giảm", "share_of_baseline": "≥"},
    comparator_text={"at_least": "từ {v} trở lên", "at_most": "không quá {v}",
                     "equal": "{v}", "within": "từ {v} đến {high}",
                     "growth": "tăng từ {v} trở lên", "reduction": "giảm từ {v} trở lên",
                     "reduction_pp": "giảm {v}", "share_of_baseline": "từ {v} trở lên"},
    vintage={"plan": "kế hoạch", "estimate": "ước thực hiện", "preliminary": "sơ bộ",
             "official": "chính thức"},
    increase="tăng",
    decrease="giảm",
    points=" điểm phần trăm",
    vs_same_period="so với cùng kỳ",
    vs_same_period_year="so với năm {year}",
    achieved_all="Hoàn thành đạt và vượt {n}/{total} {name}",
    achieved_some="Có {n}/{total} {name} {estimate}đạt và vượt {basis}",
    achieved_pace="Có {n}/{total} {name} đạt và vượt tiến độ {period}",
    behind_list="{n} chỉ tiêu chậm tiến độ: {names}",
    not_met_list="{n} chỉ tiêu chưa đạt: {names}",
    no_data_list="{n} chỉ tiêu chưa có số liệu: {names}",
    no_base_list="{n} chỉ tiêu chưa có số liệu so sánh: {names}",
    estimate_full_year="ước thực hiện cả năm ",
    reached="đạt",
    is_="là",
    is_estimate="ước là",
    percent_below="bằng {pct} {basis}",
    plan_relative="(kế hoạch: {target})",
    reached_estimate="ước đạt",
    percent_of="đạt {pct} {basis}",
    quota="{name} đạt {pct} {basis} ({actual}/{target}{measure})",
    yes_done="{name}: đã hoàn thành",
    yes_not_done="{name}: chưa hoàn thành",
    multi_year_target="chỉ tiêu {period} ({target})",
    multi_year_issuer="chỉ tiêu {period} được {issuer} giao ({target})",
    milestones="{name}: đã hoàn thành {n}/{total} nội dung{names}",
    milestones_open="đang thực hiện: {names}",
    milestones_missed="chưa hoàn thành: {names}",
    illustrative=("Ghi chú: danh mục tiêu chí và mức đạt chuẩn của bộ này chưa được đối chiếu "
                  "với văn bản gốc, chỉ có giá trị minh họa."),
    unverified_one=("Ghi chú: ngưỡng của {term} số {numbers} chưa được đối chiếu với văn bản "
                    "gốc, chỉ có giá trị minh họa."),
    unverified_many=("Ghi chú: ngưỡng của các {term} số {numbers} chưa được đối chiếu với văn "
                     "bản gốc, chỉ có giá trị minh họa."),
    unverified_sets_one=("Ghi chú: bộ tiêu chí {names} chưa được đối chiếu đầy đủ với văn bản "
                         "gốc; các ngưỡng chưa đối chiếu chỉ có giá trị minh họa."),
    unverified_sets_many=("Ghi chú: các bộ tiêu chí {names} chưa được đối chiếu đầy đủ với văn "
                          "bản gốc; các ngưỡng chưa đối chiếu chỉ có giá trị minh họa."),
    exceeded_target="vượt {basis}",
    met_target="đạt {basis}",
    not_met_target="chưa đạt {basis}",
    years_early="về đích trước {n} năm",
    set_summary="{passed}/{total} {noun} {phrase}",
    set_default_phrase="đạt {name}",
    set_at_least_phrase="đạt từ {k}/{n} {term} trở lên",
    set_unit="{unit} đạt {met}/{total} {term} {name}",
    set_unmet="còn {n} {term} chưa đạt là: {names}",
    set_no_data="{n} {term} chưa có số liệu: {names}",
    nothing_yet="{name}: chưa có số liệu",
    negation="chưa",
    met_of="đạt {met}/{total} {term}",
    assessment="Kết quả đánh giá {name} ({who})",
    units_no_data="{n} {noun} chưa có số liệu ({names})",
    title="Báo cáo kết quả thực hiện các chỉ tiêu {period}",
    data_note="Số liệu {vintage} đến {date}.",
    source="Nguồn",
    appendix="Phụ lục {n}: {name}",
    appendix_criteria="Phụ lục {n}: Kết quả đánh giá {name} – {unit}",
    chart="Biểu đồ {n}: Tỷ lệ thực hiện so với {basis} – {name}",
    motto="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    motto_sub="Độc lập - Tự do - Hạnh phúc",
    number_line="Số: {number}/{symbol}",
    place_date="{place}, {date}",
    document_kind="BÁO CÁO",
    title_prefix="Báo cáo ",
    recipients="Nơi nhận:",
    attachment="(Kèm theo Báo cáo số {number} ngày {date} của {issuer})",
    attachment_plain="(Kèm theo Báo cáo ngày {date} của {issuer})",
    party_title="ĐẢNG CỘNG SẢN VIỆT NAM",
    party_number_line="Số {number}-{symbol}",
    undated="ngày … tháng … năm …",
    undated_short="…/…/…",
    data_note_past="Số liệu {vintage} {period}, cập nhật đến {date}.",
    section_targets="Kết quả thực hiện các chỉ tiêu {period}",
    section_sets="Kết quả đánh giá theo các bộ tiêu chí",
    ratio_vs="bằng {pct} {vs}",
    base_same_period="cùng kỳ năm trước",
    vs_same_period_named="so với cùng kỳ năm {year}",
    base_year="năm {year}",
    excess_quantity="vượt {amount} so với {basis}",
    excess_percent="vượt {pct} {basis}",
    not_met_count="{n} chỉ tiêu chưa đạt",
    set_failed="{n} {noun} {phrase}: {names}",
    set_negated="chưa {phrase}",
    past="đã ",
    whole_unit="toàn {kind}",
    other_unit="{name}",
    count_fraction="{scope} có {n}/{total} {name}, tương đương {pct}",
    count_share="{scope} có {n} {name}, chiếm tỷ lệ {pct}",
    count_of="{scope} có {n} {name}",
    change_only="{name} {estimated}{change}",
    estimated="ước ",
    vs_period="so với {period}",
    no_comparison="không có số liệu so sánh",
    rebased_note="Số liệu {periods} của {unit} được tính lại theo địa giới mới: cộng {parts}.",
    rebased_whole="số liệu của {names}",
    rebased_share="{share} số liệu của {name} (chia theo {by}, nguồn: {source})",
    narrative={"ton-tai": "Tồn tại, hạn chế", "nguyen-nhan": "Nguyên nhân",
               "phuong-huong": "Phương hướng, nhiệm vụ {next}",
               "kien-nghi": "Kiến nghị, đề xuất"},
    cause="Nguyên nhân ({name})",
    columns={"no": "STT", "target": "Chỉ tiêu", "measure": "ĐVT", "plan": "Kế hoạch",
             "estimate": "Ước thực hiện", "actual": "Thực hiện", "percent": "% KH",
             "change": "So cùng kỳ",
             "status": "Đánh giá", "criterion": "Tiêu chí", "value": "Giá trị",
             "threshold": "Mức đạt chuẩn"},
)

EN = Words(
    lang="en",
    status={"exceeded": "Exceeded", "met": "Met", "not_met": "Not met", "no_data": "No data"},
    pace={"ahead": "Ahead", "on_track": "On track", "behind": "Behind"},
    basis_year="{basis} for the year",
    comparator={"at_least": "≥", "at_most": "≤", "equal": "=", "within": "between",
                "yes": "Yes", "no": "No", "growth": "growth ≥", "reduction": "reduction ≥",
                "reduction_pp": "down", "share_of_baseline": "≥"},
    comparator_text={"at_least": "at least {v}", "at_most": "at most {v}", "equal": "{v}",
                     "within": "between {v} and {high}", "growth": "growth of at least {v}",
                     "reduction": "a reduction of at least {v}", "reduction_pp": "down {v}",
                     "share_of_baseline": "at least {v}"},
    vintage={"plan": "planned", "estimate": "estimated", "preliminary": "preliminary",
             "official": "official"},
    increase="up",
    decrease="down",
    points=" percentage points",
    vs_same_period="on the same period last year",
    vs_same_period_year="on {year}",
    achieved_all="Met or exceeded {n}/{total} {name}",
    achieved_some="{n}/{total} {name} met or exceeded {basis}{estimate}",
    achieved_pace="{n}/{total} {name} on track or ahead for {period}",
    behind_list="{n} behind: {names}",
    not_met_list="{n} not met: {names}",
    no_data_list="{n} without data: {names}",
    no_base_list="{n} without a figure to compare with: {names}",
    estimate_full_year=" on full-year estimates",
    reached="reached",
    is_="was",
    is_estimate="is estimated at",
    percent_below="{pct} {basis}",
    plan_relative="(plan: {target})",
    reached_estimate="is estimated at",
    percent_of="{pct} {basis}",
    quota="{name}: {pct} {basis} ({actual}/{target}{measure})",
    yes_done="{name}: done",
    yes_not_done="{name}: not done yet",
    multi_year_target="the target for {period} ({target})",
    multi_year_issuer="the target for {period} set by {issuer} ({target})",
    milestones="{name}: {n}/{total} milestones done{names}",
    milestones_open="under way: {names}",
    milestones_missed="not done: {names}",
    illustrative=("Note: the criteria and thresholds of this set have not been checked against "
                  "the official text; they are illustrative."),
    unverified_one=("Note: the threshold in row {numbers} has not been checked against the "
                    "official text; it is illustrative."),
    unverified_many=("Note: the thresholds in rows {numbers} have not been checked against the "
                     "official text; they are illustrative."),
    unverified_sets_one=("Note: not every threshold of the {names} has been checked against the "
                         "official text; those not checked are illustrative."),
    unverified_sets_many=("Note: not every threshold of the {names} has been checked against "
                          "the official text; those not checked are illustrative."),
    exceeded_target="exceeding {basis}",
    met_target="meeting {basis}",
    not_met_target="short of {basis}",
    years_early="{n} years ahead of schedule",
    set_summary="{passed}/{total} {noun} {phrase}",
    set_default_phrase="meet the {name}",
    set_at_least_phrase="meet at least {k} of the {n} {term}",
    set_unit="{unit} meets {met}/{total} {term} of the {name}",
    set_unmet="{n} not met: {names}",
    set_no_data="{n} without data: {names}",
    nothing_yet="{name}: no data yet",
    negation="does not yet",
    met_of="{met}/{total} {term} met",
    assessment="Assessment against the {name} ({who})",
    units_no_data="{n} {noun} without data ({names})",
    title="Report on the targets for {period}",
    data_note="Figures: {vintage}, as of {date}.",
    source="Source",
    appendix="Appendix {n}: {name}",
    appendix_criteria="Appendix {n}: {name} – {unit}",
    chart="Chart {n}: Percentage of {basis} achieved – {name}",
    motto="SOCIALIST REPUBLIC OF VIET NAM",
    motto_sub="Independence - Freedom - Happiness",
    number_line="No.: {number}/{symbol}",
    place_date="{place}, {date}",
    document_kind="REPORT",
    title_prefix="Report on ",
    recipients="Recipients:",
    attachment="(Attached to report No. {number} of {date} by {issuer})",
    attachment_plain="(Attached to the report of {date} by {issuer})",
    party_title="COMMUNIST PARTY OF VIETNAM",
    party_number_line="No. {number}-{symbol}",
    undated="… … …",
    undated_short="…/…/…",
    data_note_past="Figures for {period}: {vintage}, as of {date}.",
    section_targets="Targets of {period}",
    section_sets="Assessment against the criteria sets",
    ratio_vs="{pct} of the level of {base}",
    base_same_period="the same period last year",
    vs_same_period_named="on the same period of {year}",
    base_year="{year}",
    excess_quantity="{amount} above {short}",
    excess_percent="{pct} above {short}",
    not_met_count="{n} not met",
    set_failed="{n} {noun} {phrase}: {names}",
    set_negated="failing to {phrase}",
    past="",
    whole_unit="",
    other_unit=" in {name}",
    count_fraction="{name}{scope}: {n} of {total} ({pct})",
    count_share="{name}{scope}: {n}, {pct} of the total",
    count_of="{name}{scope}: {n}",
    change_only="{name}: {estimated}{change}",
    estimated="estimated ",
    vs_period="on {period}",
    no_comparison="no figure to compare with",
    rebased_note="The {periods} figures of {unit} are recalculated for its new boundaries: "
                 "the sum of {parts}.",
    rebased_whole="the figures of {names}",
    rebased_share="{share} of those of {name} (shared by {by}, source: {source})",
    split_by={"dân số": "population", "diện tích": "area", "diện tích tự nhiên": "area"},
    pads_counts=False,
    narrative={"ton-tai": "Shortcomings", "nguyen-nhan": "Causes",
               "phuong-huong": "Directions and tasks for {next}",
               "kien-nghi": "Recommendations"},
    cause="Causes ({name})",
    columns={"no": "No.", "target": "Target", "measure": "Unit", "plan": "Plan",
             "estimate": "Estimate", "actual": "Actual", "percent": "% of plan",
             "change": "vs last year",
             "status": "Status", "criterion": "Criterion", "value": "Value",
             "threshold": "Threshold"},
)

WORDS = {"vi": VI, "en": EN}


PHRASE_KEYS = tuple(f.name for f in fields(Words)
                    if f.name not in ("lang", "numerals", "pads_counts"))
"""The phrases an organisation may reword (``report.phrases`` in its definitions)."""


def _check_template(key: str, text: str, default: str, *others: str) -> None:
    """``text`` uses only the placeholders of ``default`` (and of ``others``: the same
    phrase's default in the other language, which the report fills in as well)."""
    try:
        used = phrase_placeholders(text)
    except ValueError as exc:
        raise ValueError(f"{key}: {exc}") from None
    allowed = phrase_placeholders(default).union(*map(phrase_placeholders, others))
    unknown = sorted(used - allowed)
    if unknown:
        which = ", ".join("{" + n + "}" for n in sorted(allowed)) or "none"
        raise ValueError(f"{key}: {{{unknown[0]}}} is not known here (placeholders: {which})")


def _suggest(key: str, choices: tuple[str, ...] | list[str]) -> str:
    close = difflib.get_close_matches(key, choices, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _merged(key: str, value: object, default: dict[str, str]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{key}: give a mapping of {', '.join(default)}")
    merged = dict(default)
    for sub, text in value.items():
        if sub not in default:
            raise ValueError(f"{key}.{sub}: not a key of {key}{_suggest(sub, list(default))}")
        if not isinstance(text, str):
            raise ValueError(f"{key}.{sub}: give a text")
        _check_template(f"{key}.{sub}", text, default[sub])
        merged[sub] = text
    return merged


def with_phrases(words: Words, phrases: Mapping[str, object]) -> Words:
    """``words`` with an organisation's own phrases in place of the defaults.

    A phrase may use only the placeholders of the phrase it replaces. Raises
    :class:`ValueError` naming the phrase and the fix.
    """
    changes: dict[str, object] = {}
    for key, value in phrases.items():
        if key not in PHRASE_KEYS:
            raise ValueError(f"{key}: not a phrase of the report{_suggest(key, PHRASE_KEYS)}")
        default = getattr(words, key)
        if isinstance(default, dict):
            changes[key] = _merged(key, value, default)
        elif not isinstance(value, str):
            raise ValueError(f"{key}: give a text, not a mapping")
        else:
            _check_template(key, value, default,
                            *(getattr(w, key) for w in WORDS.values() if w.lang != words.lang))
            changes[key] = value
    return replace(words, **changes)  # type: ignore[arg-type]
