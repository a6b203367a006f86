"""Every fixed label of the reports in Chinese and English, in one table (data as data).

Names of indicators and regions are not here: they come from the data tables (name_zh/name_en).
Templates use ``str.format`` fields with names only (``{n}``, ``{year}``); fill them with
:func:`t` keyword arguments, never with text evaluated from data.
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, dict[str, str]] = {
    # --- common
    "as_of": {"zh": "数据截至", "en": "Data as of"},
    "language": {"zh": "语言", "en": "Language"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "region": {"zh": "地区", "en": "Region"},
    "year": {"zh": "年份", "en": "Year"},
    "period": {"zh": "时期", "en": "Period"},
    "value": {"zh": "数值", "en": "Value"},
    "unit": {"zh": "单位", "en": "Unit"},
    "status": {"zh": "状态", "en": "Status"},
    "obs_status": {"zh": "数据性质", "en": "Data status"},
    "source": {"zh": "来源", "en": "Source"},
    "source_id": {"zh": "来源编号", "en": "Source id"},
    "title": {"zh": "标题", "en": "Title"},
    "publisher": {"zh": "发布机构", "en": "Publisher"},
    "published": {"zh": "发布日期", "en": "Published"},
    "published_estimated": {"zh": "日期为推定", "en": "Date estimated"},
    "link": {"zh": "链接", "en": "Link"},
    "kind": {"zh": "类型", "en": "Kind"},
    "source_kind": {"zh": "来源类型", "en": "Source kind"},
    "preferred": {"zh": "优选", "en": "Preferred"},
    "weak": {"zh": "较弱来源", "en": "Weak source"},
    "quote": {"zh": "原文", "en": "Quote"},
    "notes": {"zh": "备注", "en": "Notes"},
    "definition": {"zh": "口径定义", "en": "Definition"},
    "where_published": {"zh": "数据发布渠道", "en": "Where the figure is published"},
    "count": {"zh": "个数", "en": "Count"},
    "total": {"zh": "合计", "en": "Total"},
    "yes": {"zh": "是", "en": "yes"},
    "no": {"zh": "否", "en": "no"},
    "none": {"zh": "无", "en": "none"},
    "unknown": {"zh": "未知", "en": "unknown"},
    "not_identified": {"zh": "尚未查明", "en": "not yet identified"},
    "target": {"zh": "目标", "en": "Target"},
    "target_id": {"zh": "目标编号", "en": "Target id"},
    "target_value": {"zh": "目标值", "en": "Target value"},
    "target_year": {"zh": "目标年份", "en": "Target year"},
    "base_year": {"zh": "基期", "en": "Base year"},
    "latest_period": {"zh": "最新数据期", "en": "Latest period"},
    "latest_value": {"zh": "最新值", "en": "Latest value"},
    "required_value": {"zh": "应达值", "en": "Required value"},
    "gap": {"zh": "差距", "en": "Gap"},
    "progress_ratio": {"zh": "进度比", "en": "Progress ratio"},
    "progress_category": {"zh": "进展类别", "en": "Progress"},
    "projected_value": {"zh": "预测值", "en": "Projected value"},
    "interval80": {"zh": "80%区间", "en": "80% interval"},
    "p_meet": {"zh": "达标概率", "en": "P(meet)"},
    "source_doc": {"zh": "政策文件", "en": "Policy document"},
    "source_clause": {"zh": "原文条款", "en": "Clause"},
    "method": {"zh": "方法", "en": "Method"},
    "n_years": {"zh": "年数", "en": "Years with data"},
    "years": {"zh": "数据年份", "en": "Years"},
    "data_dir": {"zh": "数据目录", "en": "Data directory"},
    "url": {"zh": "链接", "en": "URL"},
    "lo80": {"zh": "80%区间下限", "en": "80% interval, low"},
    "hi80": {"zh": "80%区间上限", "en": "80% interval, high"},
    "latest_qualifier": {"zh": "最新值限定符", "en": "Qualifier of the latest value"},
    "story": {"zh": "说明", "en": "Explanation"},
    "interpolated_years": {"zh": "插补年份", "en": "Interpolated years"},
    "export.raw": {"zh": "{label}（原始值）", "en": "{label} (raw)"},
    # --- observation statuses
    "obs.official": {"zh": "官方", "en": "official"},
    "obs.revised": {"zh": "修订", "en": "revised"},
    "obs.preliminary": {"zh": "初步", "en": "preliminary"},
    "obs.reported": {"zh": "报道", "en": "reported"},
    "obs.derived": {"zh": "推算", "en": "derived"},
    "obs.estimate": {"zh": "预计", "en": "estimate"},
    # --- source kinds
    "kind.bulletin": {"zh": "统计公报", "en": "bulletin"},
    "kind.yearbook": {"zh": "统计年鉴", "en": "yearbook"},
    "kind.bureau": {"zh": "部门网站", "en": "bureau"},
    "kind.government_report": {"zh": "政府工作报告", "en": "government report"},
    "kind.news": {"zh": "新闻", "en": "news"},
    "kind.paper": {"zh": "论文", "en": "paper"},
    "kind.policy": {"zh": "政策文件", "en": "policy"},
    "kind.aggregator": {"zh": "汇编网站", "en": "aggregator"},
    "kind.other": {"zh": "其他", "en": "other"},
    # --- target statuses and progress categories: the same words as gap.STATUS_LABELS and
    # gap.PROGRESS_LABELS (tests/test_i18n.py keeps them in sync)
    "status.met": {"zh": "已实现", "en": "met"},
    "status.on_track": {"zh": "进展顺利", "en": "on track"},
    "status.likely": {"zh": "有望实现", "en": "likely"},
    "status.uncertain": {"zh": "不确定", "en": "uncertain"},
    "status.unlikely": {"zh": "难以实现", "en": "unlikely"},
    "status.off_track": {"zh": "明显滞后", "en": "off track"},
    "status.insufficient_data": {"zh": "数据不足", "en": "insufficient data"},
    "status.no_data": {"zh": "无数据", "en": "no data"},
    "progress.significant": {"zh": "显著进展", "en": "significant progress"},
    "progress.moderate": {"zh": "一定进展", "en": "moderate progress"},
    "progress.insufficient": {"zh": "进展不足", "en": "insufficient progress"},
    "progress.away": {"zh": "偏离目标", "en": "movement away from target"},
    "progress.achieved": {"zh": "已达到目标", "en": "target achieved"},
    "progress.insufficient_data": {"zh": "数据不足", "en": "insufficient data"},
    "progress.no_data": {"zh": "无数据", "en": "no data"},
    # --- notebook 01
    "nb01.title": {"zh": "数据审核", "en": "Data audit"},
    "nb01.intro": {
        "zh": "本报告检查数据表是否通过校验，展示宁波各指标逐年的数据覆盖情况、数据的来源类型与性质、同一数值的不同版本（冲突值），以及来源较弱的数据。",
        "en": "This report checks that the data tables validate, shows which years each Ningbo indicator covers, the kinds and status of sources, values published in several versions (conflicts), and weak sources.",
    },
    "nb01.validation": {"zh": "校验结果", "en": "Validation"},
    "nb01.valid": {"zh": "数据目录通过校验：{counts}。", "en": "The data directory is valid: {counts}."},
    "nb01.invalid": {"zh": "数据目录未通过校验，共{n}个问题（前{shown}个如下）。", "en": "The data directory does not validate: {n} problem(s) (the first {shown} below)."},
    "nb01.table_counts": {"zh": "{n}行{name}", "en": "{n} {name}"},
    "nb01.coverage": {"zh": "数据覆盖（宁波，指标 × 年份）", "en": "Coverage (Ningbo, indicator × year)"},
    "nb01.coverage_note": {
        "zh": "格中数字为该年份已发布的数据版本数；空白表示没有数据。仅统计年度数据。",
        "en": "Each cell counts the published versions of that year's value; blank means no data. Annual values only.",
    },
    "nb01.by_kind": {"zh": "按来源类型与数据性质统计", "en": "Values by source kind and status"},
    "nb01.conflicts": {"zh": "同一数值的多个版本", "en": "Values with several versions"},
    "nb01.conflicts_note": {
        "zh": "同一指标、地区、时期有多个数值时全部保留；“采用”列标出截至报告日选用的版本。",
        "en": "Where one indicator, region and period has several values all are kept; the “used” column marks the version chosen on the report date.",
    },
    "nb01.no_conflicts": {"zh": "没有多版本数值。", "en": "No value has more than one version."},
    "nb01.used": {"zh": "采用", "en": "used"},
    "nb01.weak": {"zh": "较弱来源", "en": "Weak sources"},
    "nb01.weak_note": {
        "zh": "以下来源为转载、未注明出处的汇编或二手引用，其数值应优先以官方来源替换。",
        "en": "These sources are reposts, unattributed aggregators or secondary copies; their values should be replaced by official sources first.",
    },
    "nb01.no_weak": {"zh": "没有标为较弱的来源。", "en": "No source is marked weak."},
    "nb01.n_values": {"zh": "数值个数", "en": "Values"},
    # --- notebook 02
    "nb02.title": {"zh": "指标预测：{name}", "en": "Indicator projection: {name}"},
    "nb02.target_line": {"zh": "目标：{target}（{doc}：“{clause}”）", "en": "Target: {target} ({doc}: “{clause}”)"},
    "nb02.history": {"zh": "历史数据", "en": "History"},
    "nb02.backtest": {"zh": "回测（滚动起点）", "en": "Backtest (rolling origin)"},
    "nb02.backtest_note": {
        "zh": "MASE小于1表示优于朴素预测；覆盖率为实际值落入80%区间的比例。",
        "en": "MASE below 1 beats the naive forecast; coverage is the share of actual values inside the 80% interval.",
    },
    "nb02.backtest_none": {"zh": "数据点太少，无法回测：{reason}", "en": "Too few data points for a backtest: {reason}"},
    "nb02.projection": {"zh": "预测与目标", "en": "Projection and target"},
    "nb02.summary": {"zh": "结论", "en": "Summary"},
    "nb02.observations": {"zh": "所用数据及来源", "en": "Observations used and their sources"},
    "nb02.no_projection": {"zh": "无法预测：{reason}", "en": "No projection: {reason}"},
    "fan.history": {"zh": "历史值", "en": "observed"},
    "fan.mean": {"zh": "预测中值", "en": "projection"},
    "fan.band80": {"zh": "80%区间", "en": "80% interval"},
    "fan.band95": {"zh": "95%区间", "en": "95% interval"},
    "fan.required": {"zh": "达标所需路径", "en": "required path"},
    "fan.target": {"zh": "目标", "en": "target"},
    # narrative paragraph (notebook 02 and briefing)
    "para.projection": {
        "zh": "按现有数据外推，{name}在{year}年的预测值为{mean}{unit}（80%区间{lo}–{hi}{unit}），目标为{comparator}{target}{unit}。达标概率约为{p}%（{word}）。",
        "en": "Extrapolating the data available, {name} is projected at {mean}{unit} in {year} (80% interval {lo}–{hi}{unit}), against a target of {comparator}{target}{unit}. The probability of meeting it is about {p}% ({word}).",
    },
    "para.latest": {
        "zh": "最新数据为{period}年的{value}{unit}（{status}），{required_clause}",
        "en": "The latest value is {value}{unit} for {period} ({status}); {required_clause}",
    },
    "para.required": {"zh": "按达标路径该年应为{required}{unit}。", "en": "the required path asks for {required}{unit} that year."},
    "para.no_required": {"zh": "无法计算达标路径（缺少基期数据）。", "en": "no required path can be drawn (no base-year value)."},
    "para.met": {"zh": "目标已经达成。", "en": "The target has already been met."},
    "para.no_data": {"zh": "{name}尚无数据，无法评估。所需数据：{where}", "en": "There are no data for {name} yet, so it cannot be assessed. Data needed: {where}"},
    "para.insufficient": {"zh": "{name}只有{n}个年度数据，不足以预测（至少需要3个）。", "en": "{name} has only {n} annual value(s), too few to project (at least 3 are needed)."},
    "para.caveats": {"zh": "数据说明：", "en": "Caveats: "},
    "caveat.short_series": {"zh": "序列很短（{n}个年度值），区间较宽、可靠性有限", "en": "the series is short ({n} annual values), so intervals are wide and fragile"},
    "caveat.gaps": {"zh": "部分年份缺数（{missing}），已作插补", "en": "some years are missing ({missing}) and were interpolated"},
    "caveat.estimates": {"zh": "{n}个数值为预计、推算或媒体报道数，而非统计公报数", "en": "{n} value(s) are estimates, derived or reported figures rather than bulletin figures"},
    "caveat.weak": {"zh": "{n}个数值来自较弱来源", "en": "{n} value(s) come from weak sources"},
    "caveat.stale": {"zh": "最新数据为{year}年，距目标年尚有{n}年", "en": "the latest value is for {year}, {n} years before the target year"},
    "caveat.bounded": {"zh": "比例类指标在上下界之间建模", "en": "the share is modelled between its bounds"},
    "caveat.none": {"zh": "无特别说明。", "en": "none."},
    # --- notebook 03
    "nb03.title": {"zh": "目标进展总表", "en": "Target dashboard"},
    "nb03.intro": {
        "zh": "每个量化目标一行：最新值、按路径应达值、进展类别、目标年的预测值与达标概率。",
        "en": "One row per quantified target: latest value, the value the path requires, progress category, the projection for the target year and the probability of meeting it.",
    },
    "nb03.table": {"zh": "全部目标", "en": "All targets"},
    "nb03.chart": {"zh": "各目标进度", "en": "Progress toward each target"},
    "nb03.written": {"zh": "已写出：{files}", "en": "Written: {files}"},
    "nb03.not_written": {"zh": "未指定输出目录，未写出文件。", "en": "No output directory given; nothing written."},
    "bullet.xlabel": {"zh": "最新值占目标值的百分比", "en": "Latest value as % of target"},
    "bullet.required": {"zh": "按路径应达（%）", "en": "required by the path (%)"},
    "bullet.latest": {"zh": "最新值", "en": "latest value"},
    # --- notebook 04 (headings checked by the end-to-end test)
    "nb04.title": {"zh": "宁波“315”科技创新目标季度简报（{period}）", "en": "Ningbo “315” science and innovation targets: quarterly briefing ({period})"},
    "nb04.headline": {"zh": "要点", "en": "Headline"},
    "nb04.changes": {"zh": "上季度以来的变化", "en": "What changed since the previous quarter"},
    "nb04.risks": {"zh": "主要风险", "en": "Top risks"},
    "nb04.indicators": {"zh": "主要指标", "en": "Headline indicators"},
    "nb04.no_data": {"zh": "缺少数据的目标及所需数据", "en": "Targets without data and what data they need"},
    "nb04.method": {"zh": "方法说明", "en": "Method note"},
    "nb04.sources": {"zh": "数据来源", "en": "Sources"},
    "nb04.all_targets": {"zh": "全部目标状态", "en": "Status of every target"},
    "nb04.headline_sentence": {
        "zh": "截至{as_of}，{n}个量化目标中，{assessed}个可以评估（已达成或有望达成：{good}个；不太可能达成或偏离轨道：{bad}个；其余不确定），{nodata}个因缺少数据无法评估。",
        "en": "As of {as_of}, {assessed} of the {n} quantified targets can be assessed (met or likely to be met: {good}; unlikely or off track: {bad}; the rest uncertain), and {nodata} cannot be assessed for lack of data.",
    },
    "nb04.new_data": {"zh": "新发布数据（{n}条）", "en": "New data published ({n} values)"},
    "nb04.no_new_data": {"zh": "本季度没有新发布的数据。", "en": "No new data were published this quarter."},
    "nb04.status_changes": {"zh": "状态变化（{n}个目标）", "en": "Status changes ({n} targets)"},
    "nb04.no_status_changes": {"zh": "没有目标的状态发生变化。", "en": "No target changed status."},
    "nb04.before": {"zh": "上季度", "en": "Before"},
    "nb04.after": {"zh": "本季度", "en": "Now"},
    "nb04.no_risks": {"zh": "目前没有被评为“不太可能”或“偏离轨道”的目标。", "en": "No target is currently rated unlikely or off track."},
    "nb04.all_have_data": {"zh": "所有目标都有数据。", "en": "Every target has data."},
    "nb04.period_line": {"zh": "报告期：{start}至{end}。", "en": "Period: {start} to {end}."},
    # --- notebook 05
    "nb05.title": {"zh": "回顾：2022年目标", "en": "Retrospective: the 2022 targets"},
    "nb05.intro": {
        "zh": "《宁波温州国家自主创新示范区》建设意见（种子文件004）设定了2022年目标。下面比较实际结果与目标，并检验：若只用2018年6月30日、2020年12月31日之前发布的数据，本方法会如何判断。",
        "en": "The opinions on the Ningbo–Wenzhou national innovation demonstration zone (seed 004) set targets for 2022. Below, the outcome is compared with each target, and we check what this method would have said using only data published by 30 June 2018 and by 31 December 2020.",
    },
    "nb05.outcome": {"zh": "结果与目标", "en": "Outcome against target"},
    "nb05.outcome_col": {"zh": "2022年实际值", "en": "2022 outcome"},
    "nb05.then": {"zh": "当时的判断", "en": "What the method would have said"},
    "nb05.as_of_col": {"zh": "判断日期", "en": "Assessed on"},
    "nb05.verdict": {"zh": "实际结果", "en": "What happened"},
    "nb05.no_targets": {"zh": "数据中没有2022年目标。", "en": "The data hold no 2022 targets."},
    "nb05.conclusion": {"zh": "小结", "en": "Summary"},
    "nb05.summary": {
        "zh": "{n}个2022年目标中，{with_outcome}个有实际结果可比：{met}个达成，{missed}个未达成。在{compared}次给出概率的事前判断中，{right}次与实际结果一致（以50%为界）。",
        "en": "Of {n} targets for 2022, {with_outcome} have an outcome to compare: {met} met, {missed} missed. Of the {compared} earlier assessments that gave a probability, {right} agreed with what happened (50% as the cut-off).",
    },
    # --- notebook 06
    "nb06.title": {"zh": "宁波与其他地区比较", "en": "Ningbo and its peers"},
    "nb06.intro": {
        "zh": "宁波与浙江、全国及数据中其他地区在共同指标上的最新可比数值。不同地区的统计口径可能不同，见各指标的定义说明。",
        "en": "Ningbo beside Zhejiang, China and the other regions in the data, on the indicators they share: the latest comparable value of each. Definitions can differ between regions; see each indicator's notes.",
    },
    "nb06.shared": {"zh": "共同指标", "en": "Shared indicators"},
    "nb06.latest": {"zh": "最新可比数值", "en": "Latest comparable values"},
    "nb06.caveats": {"zh": "口径说明", "en": "Definitional caveats"},
    "nb06.n_regions": {"zh": "地区数", "en": "Regions"},
    "nb06.none": {"zh": "没有与其他地区共有的指标。", "en": "No indicator is shared with another region."},
    "nb06.chart_title": {"zh": "{name}（{unit}）", "en": "{name} ({unit})"},
    "nb06.not_in_data": {"zh": "数据中没有该指标的地区比较：{name}", "en": "No regional comparison in the data for: {name}"},
    "peer.latest_year": {"zh": "年份", "en": "year"},
    # --- charts
    "chart.coverage_cbar": {"zh": "版本数", "en": "versions"},
    "chart.history_title": {"zh": "{name}（宁波）", "en": "{name} (Ningbo)"},
    "chart.small_multiples": {"zh": "主要指标走势（宁波）", "en": "Headline indicators (Ningbo)"},
    # --- table of the sources section
    "sources.none": {"zh": "无引用来源。", "en": "No source cited."},
}


def t(key: str, lang: str = "zh", **fields: object) -> str:
    """Return the label ``key`` in ``lang``, formatted with named ``fields`` when given."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; use one of {', '.join(LANGS)}")
    try:
        text = LABELS[key][lang]
    except KeyError:
        raise KeyError(f"no label {key!r} in analysis.i18n.LABELS") from None
    return text.format(**fields) if fields else text


def has(key: str) -> bool:
    """Return whether a label exists."""
    return key in LABELS


def t_or(key: str, lang: str, fallback: str) -> str:
    """Return the label ``key`` in ``lang``, or ``fallback`` when there is no such label."""
    return t(key, lang) if key in LABELS else fallback
