"""The method note and the likelihood words, generated from the rule constants."""

from __future__ import annotations

from analysis.assess.rules import (
    ABOUT_TOLERANCE,
    ALL_STATUSES,
    FINAL_STATUSES,
    LIKELIHOOD_BANDS,
    LIKELIHOOD_BELOW,
    MIN_CONDITIONED_SHARE,
    MIN_RANK_POINTS,
    P_CHANGE,
    PAST_BANDS,
    PAST_BELOW,
    PLAN_YEARS,
    PROGRESS_BANDS,
    PROGRESS_BELOW,
    PROGRESS_CATEGORIES,
    PROJECT_TO,
    RECENT_PACE_YEARS,
    STATUS_BANDS,
    STATUS_BELOW,
    likelihood_band,
)
from analysis.forecast.tracker import FORECAST_METHOD, LEVELS, PEER_REGIONS, SEED
from analysis.report import i18n

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
    """Return the words of a probability on the one likelihood scale (rules.LIKELIHOOD_BANDS), in zh or en ('' for none)."""
    band = likelihood_band(p)
    return i18n.t(f"likelihood.{band}", lang) if band else ""


def likelihood_scale(lang: str) -> list[str]:
    """Return the likelihood scale as 'P range: words' items, highest first."""
    edges = [edge for _, edge in LIKELIHOOD_BANDS]
    items = []
    for (code, edge), high in zip(LIKELIHOOD_BANDS, [None] + edges[:-1]):
        span = f"P ≥ {edge:.0%}" if high is None else f"{edge:.0%} ≤ P < {high:.0%}"
        items.append(f"{span}: {i18n.t(f'likelihood.{code}', lang)}")
    items.append(f"P < {edges[-1]:.0%}: {i18n.t(f'likelihood.{LIKELIHOOD_BELOW}', lang)}")
    return items


def forecast_constants() -> dict[str, int]:
    """Return the projection rules the method note states: paths, fewest points, the short-series range."""
    from analysis.forecast import models

    return {"paths": models.N_PATHS, "min_points": models.MIN_POINTS, "full": models.MIN_POINTS_FULL}


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
        cond = f"P ≥ {edge:.0%}" if high is None else f"{edge:.0%} ≤ P < {high:.0%}"
        stat.append(f"{cond}: {STATUS_LABELS[code][lang]}")
    stat.append(f"P < {s_edges[-1]:.0%}: {STATUS_LABELS[STATUS_BELOW][lang]}")
    p_edges = [edge for _, edge in PAST_BANDS]
    past = [f"P ≥ {p_edges[0]:.0%}: {STATUS_LABELS[PAST_BANDS[0][0]][lang]}"]
    past += [f"{edge:.0%} ≤ P < {high:.0%}: {STATUS_LABELS[code][lang]}" for (code, edge), high in zip(PAST_BANDS[1:], p_edges)]
    past.append(f"P < {p_edges[-1]:.0%}: {STATUS_LABELS[PAST_BELOW][lang]}")
    scale = likelihood_scale(lang)
    fc = forecast_constants()
    peers = "、".join(i18n.t(f"region.{r}", "zh") for r in PEER_REGIONS) if lang == "zh" else ", ".join(i18n.t(f"region.{r}", "en") for r in PEER_REGIONS)
    forms = [GROWTH_FORMS[f][lang] for f in ("linear", "geometric")]
    if lang == "zh":
        lines = [
            "方法说明",
            "进展比 R = 基期以来的实际年均增长 ÷ 基期到目标所需的年均增长（几何型指标用年均复合增长率，线性型用年均变化量；"
            "基期、最新值或目标值不大于0时改用年均变化量，参照加拿大统计局 Open SDG 方法）。分档（参照欧盟统计局 SDG 监测）："
            + "；".join(prog) + f"；最新值已满足目标：{PROGRESS_LABELS['achieved']['zh']}；基期之后不足一个观测值：{PROGRESS_LABELS['insufficient_data']['zh']}。",
            "路径形态：" + "；".join(forms) + "。",
            f"预测：models.forecast（方法 {FORECAST_METHOD}，{'/'.join(map(str, LEVELS))}% 区间，随机种子 {SEED}，模拟路径 {fc['paths']} 条），"
            f"预测至目标年，首次达标年份搜索至 {PROJECT_TO} 年。至少 {fc['min_points']} 个年度数值才做预测；"
            f"{fc['min_points']}—{fc['full'] - 1} 个数值时，序列自身的增长向同类序列的增长收缩（{peers}同一指标已发布时用其增长，否则用 M3 同长度序列的增长），区间相应放宽；"
            f"仅 1 个数值不做预测。排名目标少于 {MIN_RANK_POINTS} 个观测值不给概率。累计目标：已发布年份用实际值，其余年份用模拟路径求和。"
            "年均增长目标：换算为目标年水平 = 基期值 × (1+r)^年数。",
            "概率用语（一种标尺，中英文相同，参照 IPCC 校准可能性用语）：" + "；".join(scale) + "。",
            "状态（按达标概率 P）：" + "；".join(stat)
            + f"；已实现：已发布的数值（终值 {'/'.join(FINAL_STATUSES)}、统计数或能证明达标的上下限，预计数除外）已满足目标——目标年在后时，P 表示到目标年仍满足的可能；"
            "数据不足：有数据但无法判断；无数据：报告日前未发布年度数据。",
            f"证据规则：状态只依据已发布的数值。插值只用于画线，不单独决定状态：累计目标中未发布年份的流量按零计入（累计数“不低于”所示值），"
            f"由此得到的 P 是下限，只能证明“有望实现”，不能证明“难以实现”，否则为“数据不足”，并注明若按插值计算的 P。"
            f"早于目标的基期（或早于目标年前 {PLAN_YEARS} 年）的数值为旧数据：注明年份，不据以判断。"
            f"近年速度：最近 {RECENT_PACE_YEARS} 年（不足时用更少年份）的年均变化，与达到目标每年所需的变化并列，并给出按近年速度目标年的数值；来自上下限的速度标“至少”“至多”。",
            f"“变化”：本季度新增或修订的数值（原值→新值；重新发布而数值未变的不算变化），以及状态改变或 P 变动超过 {P_CHANGE * 100:.0f} 个百分点的目标，"
            "并说明原因：新数据、已公布数据修订、报告日期推移，或模型重新拟合（新的模型输入，如比较地区的数据）。只使用报告日前已发布的数据。",
            "数值的确切程度：同一年份先用确切值，其次用约数或预计数，最后才用上下限（“超过”“突破”“前十”等）；预计数一经终值公布即被取代。"
            "上下限不当作确切值：下限只能证明“不低于”类目标已实现，不能证明未实现；上限同理；预测只用确切值，并只保留与已公布上下限相符的模拟路径"
            f"（相符路径少于 {MIN_CONDITIONED_SHARE:.0%} 时不作此限制）。",
            "基期：基期年份未公布时，若其前后均有数值，则按指标的路径形态插值估算并标注；年均增长目标始终以文件规定的基期计算，无法估算时不作判断，绝不改用其他年份。",
            f"目标年份已过的目标：目标年的统计数已公布时为“{STATUS_LABELS['met']['zh']}”或“{STATUS_LABELS['missed']['zh']}”；"
            "未公布时只说明已知情况：由前后数值插值或预测推断的 P 按同一标尺表述（" + "；".join(past) + "），否则为“无数据”。",
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
            f"{fc['paths']} simulated paths) to the target year; first year meeting the target searched to {PROJECT_TO}. A projection needs "
            f"at least {fc['min_points']} annual values; with {fc['min_points']} to {fc['full'] - 1} values the series' own growth is shrunk "
            f"towards the growth of similar series (the same indicator in {peers} where published, else M3 series of the same length) and "
            f"the interval widened accordingly; one value gets no projection. No probability for rank targets with fewer than "
            f"{MIN_RANK_POINTS} ranks. Cumulative targets: published years as published, remaining years summed over simulated paths. "
            "Average-growth targets: converted to a target-year level = base × (1+r)^years.",
            "Probability words (one scale, the same in both languages, after the IPCC calibrated likelihood): " + "; ".join(scale) + ".",
            "Status from P(meet): " + "; ".join(stat)
            + f"; met: a published figure (a final {'/'.join(FINAL_STATUSES)} value, a statistic, or a bound that proves it; not an "
            "estimate) already meets the target — with the target year still ahead, P says how likely it still holds then; "
            "insufficient data: data that cannot yet be judged on; no data: no annual value published by the report date.",
            "Evidence rules: a status rests on published values. An interpolated value may draw a line but never carries a status "
            "alone: in a cumulative target a year whose flow was not published counts as zero (the total is at least the one shown), so "
            "its P is a lower bound that can show a target likely, never unlikely (otherwise: insufficient data, with the P the interpolated "
            f"years would give). A figure older than the target's base year (or than {PLAN_YEARS} years before the target year) is stale: "
            f"shown with its year, never judged on. Recent pace: the average change a year over the last {RECENT_PACE_YEARS} years (fewer "
            "where there are fewer), beside the change a year still needed and the target-year value at the recent pace; a pace from a "
            "bound is 'at least' or 'at most'.",
            f"What changed: figures new or revised this quarter (old → new value; a figure published again unchanged is no change), and "
            f"targets whose status changed or whose P moved by more than {P_CHANGE * 100:.0f} points, with why: a new figure, a revision "
            "of a published figure, the later report date, or a refit (a new model input such as a comparison region's figures). "
            "Only data published by the report date are used.",
            "Exactness: for each year an exact figure is used first, then an approximate or estimated (预计) one, a bound "
            "(超过, 突破, 前十 …) last; an estimate is superseded once the final figure is published. Bounds are never used as exact values: "
            "a lower bound can show a '>=' target met, never missed, and an upper bound likewise for '<='; projections use exact values "
            f"only and keep the simulated paths that agree with the published bounds (unless fewer than {MIN_CONDITIONED_SHARE:.0%} do).",
            "Base year: when the base year was not published but values exist on both sides of it, the base is interpolated on the "
            "indicator's growth form and flagged. Average-growth targets are always measured from their stated base year; when it "
            "cannot be estimated they are not judged, never moved to another year.",
            f"Targets whose year has passed: {STATUS_LABELS['met']['en']} or {STATUS_LABELS['missed']['en']} when a statistic for the "
            "target year is published; otherwise only what is known: a P inferred from the values around the target year (interpolation "
            "or projection) in the same scale (" + "; ".join(past) + "), no data otherwise.",
            f"'Each year' (每年) targets are judged year by year: one year missed means the target cannot be met in full. 'About' (左右) "
            f"targets count as reached within {ABOUT_TOLERANCE:.0%}. A target stated in two documents is counted once in every "
            "headline figure; past targets are counted apart from the 2027 ones.",
        ]
    return "\n".join(lines) + "\n"
