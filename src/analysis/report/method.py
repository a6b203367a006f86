"""The method note and the likelihood words, generated from the rule constants."""

from __future__ import annotations

import pandas as pd

from analysis.assess.rules import (
    ABOUT_TOLERANCE,
    ALL_STATUSES,
    FINAL_STATUSES,
    MIN_CONDITIONED_SHARE,
    MIN_POINTS_PROJECTION,
    MIN_RANK_POINTS,
    P_CHANGE,
    PROBABLY_EDGE,
    PROGRESS_BANDS,
    PROGRESS_BELOW,
    PROGRESS_CATEGORIES,
    PROJECT_TO,
    STATUS_BANDS,
    STATUS_BELOW,
    status_from_p,
)
from analysis.forecast.tracker import FORECAST_METHOD, LEVELS, SEED
from analysis.report import i18n

# IPCC calibrated-likelihood terms, one per status band (same lower edges as STATUS_BANDS).
LIKELIHOOD_WORDS: dict[str, dict[str, str]] = {
    "on_track": {"en": "very likely", "zh": "很可能"},
    "likely": {"en": "likely", "zh": "可能"},
    "uncertain": {"en": "about as likely as not", "zh": "可能性中等"},
    "unlikely": {"en": "unlikely", "zh": "不太可能"},
    "off_track": {"en": "very unlikely", "zh": "很不可能"},
}


GROWTH_FORMS: dict[str, dict[str, str]] = {
    "linear": {
        "en": "linear: equal annual steps from base to target (shares, ratios, rates, ranks); progress measured by average annual change",
        "zh": "线性：基期到目标值按相同年增量（比重、比率、增速、排名）；进展按年均变化量衡量",
    },
    "geometric": {
        "en": "geometric: constant annual growth rate from base to target (counts, amounts); progress measured by CAGR; linear when base, latest or target <= 0",
        "zh": "几何：基期到目标值按固定年增长率（数量、金额）；进展按年均复合增长率衡量；基期、最新值或目标值不大于0时改用线性",
    },
}


# Words for the codes live once, in i18n; these views keep gap's method note readable.
PROGRESS_LABELS: dict[str, dict[str, str]] = {
    code: {lang: i18n.LABELS[f"progress.{code}"][lang] for lang in i18n.LANGS} for code in PROGRESS_CATEGORIES
}


STATUS_LABELS: dict[str, dict[str, str]] = {
    code: {lang: i18n.LABELS[f"status.{code}"][lang] for lang in i18n.LANGS} for code in ALL_STATUSES
}


def likelihood_words(p: float, lang: str = "en") -> str:
    """Return the IPCC calibrated-likelihood phrase for a probability, in zh or en ('' for none)."""
    if p is None or pd.isna(p):
        return ""
    return LIKELIHOOD_WORDS[status_from_p(p)][lang]


def n_paths() -> str:
    """Return the number of simulated paths used by models.forecast."""
    from analysis.forecast import models

    return str(models.N_PATHS)


def method_note(lang: str = "en") -> str:
    """Return the method note (every threshold, generated from the constants) in zh or en."""
    edges = [edge for _, edge in PROGRESS_BANDS]
    upper = [None] + edges[:-1]
    prog = []
    for (code, edge), high in zip(PROGRESS_BANDS, upper):
        label = PROGRESS_LABELS[code][lang]
        prog.append(f"R ≥ {edge:g}: {label}" if high is None else f"{edge:g} ≤ R < {high:g}: {label}")
    prog.append(f"R < {edges[-1]:g}: {PROGRESS_LABELS[PROGRESS_BELOW][lang]}")
    s_edges = [edge for _, edge in STATUS_BANDS]
    s_upper = [None] + s_edges[:-1]
    stat = []
    for (code, edge), high in zip(STATUS_BANDS, s_upper):
        words = LIKELIHOOD_WORDS[code][lang]
        cond = f"P ≥ {edge:.0%}" if high is None else f"{edge:.0%} ≤ P < {high:.0%}"
        stat.append(f"{cond}: {STATUS_LABELS[code][lang]} ({words})")
    stat.append(f"P < {s_edges[-1]:.0%}: {STATUS_LABELS[STATUS_BELOW][lang]} ({LIKELIHOOD_WORDS[STATUS_BELOW][lang]})")
    forms = [GROWTH_FORMS[f][lang] for f in ("linear", "geometric")]
    if lang == "zh":
        lines = [
            "方法说明",
            "进展比 R = 基期以来的实际年均增长 ÷ 基期到目标所需的年均增长（几何型指标用年均复合增长率，线性型用年均变化量；"
            "基期、最新值或目标值不大于0时改用年均变化量，参照加拿大统计局 Open SDG 方法）。分档（参照欧盟统计局 SDG 监测）："
            + "；".join(prog) + f"；最新值已满足目标：{PROGRESS_LABELS['achieved']['zh']}；基期之后不足一个观测值：{PROGRESS_LABELS['insufficient_data']['zh']}。",
            "路径形态：" + "；".join(forms) + "。",
            f"预测：models.forecast（方法 {FORECAST_METHOD}，{'/'.join(map(str, LEVELS))}% 区间，随机种子 {SEED}，模拟路径 {n_paths()} 条），"
            f"预测至目标年，首次达标年份搜索至 {PROJECT_TO} 年；少于 {MIN_POINTS_PROJECTION} 个年度数据不做预测；"
            f"排名目标少于 {MIN_RANK_POINTS} 个观测值不给概率。累计目标：已观测年份用实际值，其余年份用模拟路径求和。"
            "年均增长目标：换算为目标年水平 = 基期值 × (1+r)^年数。",
            "状态（按达标概率 P，参照 IPCC 校准可能性用语）：" + "；".join(stat)
            + f"；已实现：终值（{'/'.join(FINAL_STATUSES)}）已满足且不可逆；数据不足：有数据但无法预测；无数据：报告日前未发布年度数据。",
            f"“变化”：新发布的观测值，以及状态改变或 P 变动超过 {P_CHANGE * 100:.0f} 个百分点的目标。只使用报告日前已发布的数据。",
            "数值的确切程度：同一年份先用确切值，其次用约数或预计数，最后才用上下限（“超过”“突破”“前十”等）；预计数一经终值公布即被取代。"
            "上下限不当作确切值：下限只能证明“不低于”类目标已实现，不能证明未实现；上限同理；预测只用确切值，并只保留与已公布上下限相符的模拟路径"
            f"（相符路径少于 {MIN_CONDITIONED_SHARE:.0%} 时不作此限制）。",
            "基期：基期年份未公布时，若其前后均有数值，则按指标的路径形态插值估算并标注；年均增长目标始终以文件规定的基期计算，无法估算时不作判断，绝不改用其他年份。",
            f"目标年份已过的目标只给结果：目标年数值已公布时为“{STATUS_LABELS['met']['zh']}”或“{STATUS_LABELS['missed']['zh']}”；"
            f"须由前后数值插值或预测推断时为“{STATUS_LABELS['probably_met']['zh']}”或“{STATUS_LABELS['probably_missed']['zh']}”（P ≥ {PROBABLY_EDGE:.0%} 为前者）；否则为“无数据”。",
            f"“每年”目标逐年判断，任一年未达到即不能全部实现；“左右”目标以相差不超过 {ABOUT_TOLERANCE:.0%} 为达到；两份文件重复提出的同一目标在汇总数中只计一次，已到期目标与2027年目标分开计数。",
        ]
    else:
        lines = [
            "Method note",
            "Progress ratio R = observed annual growth since the base year ÷ annual growth required from base to target "
            "(compound annual growth rate for geometric indicators, average annual change for linear ones; absolute change "
            "when base, latest or target <= 0, after Statistics Canada's Open SDG method). Bands (after Eurostat SDG monitoring): "
            + "; ".join(prog) + f"; latest value already meets the target: {PROGRESS_LABELS['achieved']['en']}; "
            f"no observation after the base: {PROGRESS_LABELS['insufficient_data']['en']}.",
            "Required paths: " + "; ".join(forms) + ".",
            f"Projection: models.forecast (method {FORECAST_METHOD}, {'/'.join(map(str, LEVELS))}% intervals, seed {SEED}, "
            f"{n_paths()} simulated paths) to the target year; first year meeting the target searched to {PROJECT_TO}; "
            f"no projection with fewer than {MIN_POINTS_PROJECTION} annual points; no probability for rank targets with fewer "
            f"than {MIN_RANK_POINTS} ranks. Cumulative targets: observed years as observed, remaining years summed over "
            "simulated paths. Average-growth targets: converted to a target-year level = base × (1+r)^years.",
            "Status from P(meet) (IPCC calibrated likelihood): " + "; ".join(stat)
            + f"; met: a final ({'/'.join(FINAL_STATUSES)}) value already satisfies a target that cannot be undone; "
            "insufficient data: data but no projection; no data: no annual value published by the report date.",
            f"What changed: newly published observations, and targets whose status changed or whose P moved by more than "
            f"{P_CHANGE * 100:.0f} points. Only data published by the report date are used.",
            "Exactness: for each year an exact figure is used first, then an approximate or estimated (预计) one, a bound "
            "(超过, 突破, 前十 …) last; an estimate is superseded once the final figure is published. Bounds are never used as exact values: "
            "a lower bound can show a '>=' target met, never missed, and an upper bound likewise for '<='; projections use exact values "
            f"only and keep the simulated paths that agree with the published bounds (unless fewer than {MIN_CONDITIONED_SHARE:.0%} do).",
            "Base year: when the base year was not published but values exist on both sides of it, the base is interpolated on the "
            "indicator's growth form and flagged. Average-growth targets are always measured from their stated base year; when it "
            "cannot be estimated they are not judged, never moved to another year.",
            f"Targets whose year has passed get outcomes only: {STATUS_LABELS['met']['en']} or {STATUS_LABELS['missed']['en']} when the "
            f"target-year value is published; {STATUS_LABELS['probably_met']['en']} or {STATUS_LABELS['probably_missed']['en']} when it "
            f"is inferred from the values around it (interpolation or projection; P >= {PROBABLY_EDGE:.0%} for the former); no data otherwise.",
            f"'Each year' (每年) targets are judged year by year: one year missed means the target cannot be met in full. 'About' (左右) "
            f"targets count as reached within {ABOUT_TOLERANCE:.0%}. A target stated in two documents is counted once in every "
            "headline figure; past targets are counted apart from the 2027 ones.",
        ]
    return "\n".join(lines) + "\n"
