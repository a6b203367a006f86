#!/usr/bin/env python3
"""Curate the raw data harvest into ``data/observations.csv`` and ``data/sources.csv``.

Usage::

    python scripts/curate_harvest.py [HARVEST_CSV] [--data-dir data] [--print-changelog]

HARVEST_CSV defaults to ``../shared/data-harvest/observations_harvest.csv`` relative to the
repository root. The script is deterministic (no clock, no network, no randomness): the same
harvest always gives byte-identical outputs.

This file is the record of how every curated value was derived from the raw harvest. Every
decision is an explicit, commented table below:

* ``URL_FIXES`` / ``TITLE_FIXES``: spelling fixes of a source address or title (same page).
* ``ID_SPLITS``: rows moved to one of the agreed new indicator ids.
* ``UNIT_FIXES``: unit relabels / conversions (the value is rescaled only when a factor is set).
* ``DROPS``: rows removed, with the reason (only when the row's own source shows it is a duplicate
  or wrong).
* ``STATUS_FIXES``: status changes (预计 -> estimate, replaced preliminary -> preliminary,
  census revision -> revised).
* ``QUALIFIERS``: bound / approximation marks (">" for 突破/超/more than, "~" for 近/约/左右,
  "<=" for "top 10").
* ``PREFERRED``: which vintage is preferred when several rows share an (indicator, region, period).
* ``SOURCE_RULES``: kind, weakness and notes of every source (NOTES.md §4 of the harvest).
* ``DATE_OVERRIDES`` and ``release_rule``: how a missing or partial publication date is estimated.

A value is never invented: every output value is a harvest value (or a harvest value rescaled by
an explicit unit factor), and its quote is the harvest quote, verbatim.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import io
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HARVEST = ROOT.parent / "shared" / "data-harvest" / "observations_harvest.csv"
TODAY = date(2026, 11, 22)  # curation date; no estimated publication date may lie after it
CURATION_DATE = "2026-11-22"

HARVEST_COLUMNS = [
    "indicator_id", "region", "period", "value", "unit", "status", "source_url", "source_title",
    "publisher", "published", "quote", "notes",
]
OBS_COLUMNS = [
    "indicator_id", "region", "period", "value", "unit", "qualifier", "status", "source_id",
    "published", "published_estimated", "preferred", "quote", "notes",
]
SRC_COLUMNS = ["source_id", "title", "publisher", "url", "published", "published_estimated", "kind", "weak", "notes"]

# ---------------------------------------------------------------------------------------------
# 1. Source address and title fixes (same page, different spelling in the harvest)

URL_FIXES = {
    # Row specialized_little_giants/ningbo/2021 spells the 宁波日报 page of 2022-04-15 with
    # "2022-04-15/" instead of "2022-04/15/"; the article id (content_1315423) is the same page
    # as the other rows that cite it.
    "http://daily.cnnb.com.cn/nbrb/html/2022-04-15/content_1315423.htm?div=-1":
        "http://daily.cnnb.com.cn/nbrb/html/2022-04/15/content_1315423.htm?div=-1",
}

# Titles of sources without an address (secondary copies in public code files): the harvest
# spells the same file in several ways, or leaves the file name empty.
TITLE_FIXES = {
    "secondary copy in a public code file: nbs_2025_communique_briefing design spec (quotes NBS 2025 communique)":
        "secondary copy in a public code file: nbs_2025_communique_briefing design spec "
        "(quotes 中华人民共和国2025年国民经济和社会发展统计公报, NBS 2026-02-28)",
    "secondary copy in a public code file:":
        "secondary copy in a public code file (file not named in the harvest): China high-value "
        "invention patents per 10k",
}

# Preferred title when one address carries several titles in the harvest (otherwise the longest).
TITLE_CHOICE = {
    "https://zjnews.zjol.com.cn/zjnews/nbnews/201901/t20190125_9338038.shtml": "宁波高新技术企业量质齐升 (浙江在线-宁波新闻)",
    "http://cqtresearch.com/news/guonei/2022/0427/124027.html": "(repost of 宁波日报 World IP Day report)",
}


def github_url(raw: str) -> str:
    """Turn the harvest's ``github:owner/repo@commit:path`` into an https address."""
    match = re.fullmatch(r"github:([^@]+)@([0-9a-f]{40}):(.+)", raw)
    if not match:
        raise ValueError(f"unexpected github reference {raw!r}")
    repo, commit, path = match.groups()
    return f"https://github.com/{repo}/blob/{commit}/{quote(path, safe='/')}"


# ---------------------------------------------------------------------------------------------
# 2. Indicator id splits (agreed with the indicators.csv author; no other new ids)
#    Key: (harvest indicator_id, region, period, value) -> (new indicator_id, reason)

HTE_NEW = "high_tech_enterprises_new"
HTE_SURVEY = "high_tech_enterprises_survey"
TTV = "tech_transaction_value"
ID_SPLITS = {
    # High-tech enterprises (NOTES §3): newly certified in the year -> *_new
    ("high_tech_enterprises", "ningbo", "2015", "358"): (HTE_NEW, "新培育高新技术企业358家 = newly certified in 2015 (NOTES §3)"),
    ("high_tech_enterprises", "ningbo", "2017", "716"): (HTE_NEW, "新增高新技术企业716家 = newly certified in 2017 (NOTES §3)"),
    ("high_tech_enterprises", "ningbo", "2018", "618"): (HTE_NEW, "新认定高新技术企业618家 = newly certified in 2018 (NOTES §3)"),
    ("high_tech_enterprises", "wenzhou", "2019", "550"): (HTE_NEW, "新增高新技术企业550家 = newly certified in 2019 (NOTES §3)"),
    ("high_tech_enterprises", "wenzhou", "2022", "765"): (HTE_NEW, "765 new high-tech companies = newly certified in 2022 (NOTES §2, §3)"),
    # ... survey-scope count -> *_survey
    ("high_tech_enterprises", "ningbo", "2017", "1479"): (
        HTE_SURVEY, "1479 = HTEs inside the above-scale industrial survey (credited with >65% of that sector's "
        "科技活动经费), not the certified stock (1739 at end-2016) (NOTES §2, §3)"),
    # 技术交易额 / 技术交易总额 (Zhejiang usage, includes technology bought in) -> tech_transaction_value
    ("tech_contract_value", "ningbo", "2017", "81.8"): (TTV, "技术交易额, not registered 技术合同成交额 (NOTES §3)"),
    ("tech_contract_value", "ningbo", "2022-09", "280.7"): (TTV, "technology transaction volume = 技术交易额 (NOTES §3)"),
    ("tech_contract_value", "ningbo_hightech_zone", "2020", "22"): (TTV, "技术交易额 (NOTES §3)"),
    ("tech_contract_value", "hangzhou", "2023", "1500"): (TTV, "技术交易额 (NOTES §3)"),
    ("tech_contract_value", "wenzhou", "2019", "210"): (TTV, "技术交易总额 (NOTES §3)"),
    # R&D personnel: headcount (万人) vs full-time equivalent (万人年) are different measures
    ("rd_personnel", "ningbo", "2010", "4.87"): ("rd_personnel_headcount", "printed in 万人 (R&D活动人员 headcount) (NOTES §3)"),
    ("rd_personnel", "ningbo", "2014", "7.35"): ("rd_personnel_fte", "printed in 万人年 (full-time equivalent) (NOTES §3)"),
    # Flows that the harvest filed under stock indicators (ids added by the lead, 2026-11-22)
    ("tech_smes", "wenzhou", "2019", "2213"): ("tech_smes_new", "新增 in 2019 = flow, not the cumulative stock"),
    ("tech_smes", "wenzhou", "2022", "2159"): ("tech_smes_new", "2159 firms newly registered in 2022 = flow; the stock is >14000"),
    ("specialized_little_giants", "ningbo", "2020", "50"): (
        "specialized_little_giants_new", "new in the 2nd national batch = flow; 2021-2022 rows are cumulative"),
    # Definition checks against the targets (issue 9): figures kept as related context, never as
    # the target's series. The target counts persons; these rows count projects.
    ("global_top_talents_new", "ningbo", "2021", "12"): (
        "global_top_talent_projects_five_year_total", "全职顶尖人才项目 over the five years to 2021: projects, not persons, and not one year"),
    ("global_top_talents_new", "ningbo", "2024", "9"): (
        "global_top_talent_projects_new", "全职顶尖人才项目 supported in 2024: projects, not persons"),
    # The target is the size of the whole fund cluster (科创基金集群, >1000亿); these are single funds.
    ("sci_tech_fund_size", "ningbo", "2021", "50"): ("sci_tech_fund_single_size", "one fund (示范区科技成果转化基金), not the cluster"),
    ("sci_tech_fund_size", "ningbo_hightech_zone", "2024", "50"): ("sci_tech_fund_single_size", "one fund of the zone, not the city's cluster"),
    ("sci_tech_fund_size", "ningbo", "2018", "23"): (
        "angel_fund_capital_mobilised", "angel guidance fund's own 2亿 plus 21.53亿 leveraged social capital: a derived total, not a fund size"),
    # The 2027 high-tech share target is on the 2018 classification; 2014 is on the old one.
    ("high_tech_industry_va_share", "ningbo", "2014", "34.7"): ("high_tech_industry_va_share_pre2018", "pre-2018 classification of high-tech industry"),
    # The target counts all new national and provincial leading talents; these rows cover one programme each.
    ("leading_talents_new", "ningbo", "2016", "8"): ("leading_talents_single_programme_new", "only the 2nd batch of the national 万人计划"),
    ("leading_talents_new", "ningbo", "2019", "9"): ("leading_talents_single_programme_new", "only one national programme (MOST), teams counted apart"),
    # The target counts 科技攻关项目 implemented 2023-2027; these are 科技创新2025 major projects, partly cumulative.
    ("sci_tech_projects", "ningbo", "2018", "120"): ("sci_tech_2025_major_projects", "科技创新2025 major special projects, another programme"),
    ("sci_tech_projects", "ningbo", "2020", "240"): ("sci_tech_2025_major_projects", "科技创新2025 major projects under way (cumulative), another programme"),
    ("sci_tech_projects", "ningbo", "2020", "350"): ("sci_tech_2025_major_projects", "科技创新2025 major projects deployed 2018-2020 (cumulative), another programme"),
    # Per 10,000 labour force (每万劳动力), not per 10,000 employed persons (每万名就业人员).
    ("rd_personnel_per_10k_employed", "ningbo", "2014", "95"): ("rd_personnel_per_10k_labour_force", "每万劳动力: denominator is the labour force, not employed persons"),
    # Fiscal S&T spending: the 2024 row is a growth rate, not a level in 亿元
    ("fiscal_st_expenditure", "ningbo", "2024", "20.8"): (
        "fiscal_st_expenditure_yoy", "增幅20.8% is the growth of 财政科技经费投入, not a level in 亿元"),
}

# Rows kept under tech_contract_value although their wording is ambiguous (技术合同交易额).
AMBIGUOUS_TECH_CONTRACT = {
    ("tech_contract_value", "qingdao", "2017", "126.66"),
    ("tech_contract_value", "suzhou", "2022", "800"),
}

# ---------------------------------------------------------------------------------------------
# 3. Units: one unit per indicator (the harvest's dominant unit).
#    Key: (harvest indicator_id, region, period, value) -> (new unit, factor or None, note)
#    The harvest already converted every "billion yuan", "万亿" and "人" figure into the dominant
#    unit (its notes say so); no 万元 or 万亿元 value remains, so no rescaling is needed.

UNIT_FIXES = {
    ("fiscal_st_expenditure", "ningbo", "2024", "20.8"): ("%", None, "unit relabelled from '% yoy growth' to '%' (growth rate)"),
}

# Period fixes: a stock dated within a year is a month-end value, not the annual (year-end) one.
# Key: (harvest id, region, period, value) -> (period, reason)
PERIOD_FIXES = {
    ("high_skilled_talents_total", "ningbo", "2021", "562000"): ("2021-03", "截至2021年一季度: stock at the end of Q1 2021, not at the end of 2021"),
}

# ---------------------------------------------------------------------------------------------
# 4. Drops. Key: (harvest indicator_id, region, period, value, url) -> reason

DROPS = {
    ("high_tech_enterprises", "ningbo", "2024-06", "7000",
     "http://epaper.cnnb.com.cn/nbrb/pc/content/202407/20/content_164996.html"):
        "same July-2024 statement ('全市高新技术企业总数突破7000家') as the 2023 row from the same 宁波日报 "
        "article; NOTES §2 says it is most likely the end-2023 stock and must be counted once",
}

# ---------------------------------------------------------------------------------------------
# 5. Status. Harvest statuses official/reported/derived are kept unless listed here.
#    Key: (harvest indicator_id, region, period, value[, url substring]) -> (status, reason)

STATUS_FIXES = {
    # 预计 / expected / projected in the source -> estimate
    ("rd_gdp_ratio", "ningbo", "2015", "2.4", "kjj.ningbo.gov.cn"): ("estimate", "source says 预计 (S&T bureau, Jan 2016)"),
    ("rd_gdp_ratio", "ningbo", "2017", "2.35", "kjj.ningbo.gov.cn"): ("estimate", "source says 预计 (S&T bureau, Mar 2018)"),
    ("rd_expenditure", "ningbo", "2017", "231.5"): ("estimate", "source says 预计全年研发经费支出231.5亿元"),
    ("rd_gdp_ratio", "ningbo", "2021", "3.0"): ("estimate", "source says 预计达到3.0%"),
    ("rd_gdp_ratio", "ningbo", "2023", "3.0"): ("estimate", "source says 'It is estimated that ... may exceed 3%'"),
    ("high_tech_enterprises", "ningbo", "2020", "3000"): ("estimate", "projection made in Dec 2020 ('至年底...将突破3000家')"),
    ("high_tech_enterprises", "ningbo", "2024", "8800"): ("estimate", "source says 预计突破8800家"),
    ("high_tech_enterprises", "ningbo", "2025", "10000"): ("estimate", "source says 预计高新技术企业总量突破1万家"),
    ("tech_contract_value", "dalian", "2022", "380"): ("estimate", "source says 预计达到380亿元"),
    ("rd_gdp_ratio", "hangzhou", "2019", "3.4"): ("estimate", "'3.4左右' in a plan-execution report (harvest: ESTIMATE)"),
    ("gdp", "suzhou", "2022", "24000"): ("estimate", "source says 预计数"),
    ("gdp", "suzhou", "2025", "27700"): ("estimate", "source says 预计数"),
    ("rd_gdp_ratio", "suzhou", "2021", "3.8"): ("estimate", "source says 预计3.8%"),
    ("rd_gdp_ratio", "xiamen", "2022", "3.2"): ("estimate", "source says 预计达3.2%"),
    # preliminary figures later replaced by a final or revised figure -> preliminary
    ("rd_expenditure", "china", "2020", "24426"): ("preliminary", "statistical-communique figure, replaced by the R&D bulletin's 24393.1"),
    ("rd_expenditure", "china", "2023", "33278"): ("preliminary", "statistical-communique figure, replaced by the R&D bulletin's 33357.1"),
    ("rd_gdp_ratio", "china", "2023", "2.64"): ("preliminary", "statistical-communique figure, replaced by the R&D bulletin's 2.65"),
    ("rd_expenditure", "china", "2024", "36130"): ("preliminary", "preliminary figure, replaced by the R&D bulletin's 36326.8"),
    ("rd_gdp_ratio", "china", "2024", "2.68"): ("preliminary", "按初步数测算, replaced by the R&D bulletin's 2.69"),
    ("rd_expenditure", "china", "2025", "39262"): ("preliminary", "statistical-communique figure; the 2025 R&D bulletin (autumn 2026) will replace it"),
    ("rd_gdp_ratio", "china", "2025", "2.8"): ("preliminary", "statistical-communique figure; the 2025 R&D bulletin will replace it"),
    ("gdp", "ningbo", "2023", "16452.8"): ("preliminary", "first release, revised to 17146.6 after the 5th economic census"),
    ("gdp", "zhejiang", "2023", "82553"): ("preliminary", "preliminary accounting, revised to 85620 after the 5th economic census"),
    # census / later revisions -> revised
    ("gdp", "ningbo", "2023", "17146.6"): ("revised", "修订 after the 5th economic census (2024 bulletin)"),
    ("gdp", "zhejiang", "2023", "85620"): ("revised", "修订 after the 5th economic census (2024 bulletin)"),
    ("gdp", "ningbo", "2020", "13100"): ("revised", "later revised series (2020 base quoted in the Jan-2026 work report)"),
    ("resident_population", "ningbo", "2015", "858.2"): ("revised", "back-revised to the 7th-census basis (宁波统计年鉴2021)"),
    ("rd_gdp_ratio", "china", "2020", "2.36"): ("revised", "2026 restatement after GDP revision; the original series gives 2.40"),
    ("rd_gdp_ratio", "china", "2012", "1.91"): ("revised", "2026 restatement on the revised GDP basis (NOTES §2), same sentence as 2020 = 2.36"),
    # --- second harvest
    ("rd_gdp_ratio", "ningbo", "2018", "2.6"): ("estimate", "given in the Feb-2019 work report, before the R&D survey; rounded"),
    ("rd_gdp_ratio", "ningbo", "2023", "3.15"): ("estimate", "the Jan-2024 starting level against the 3.3% goal, before the final 3.08"),
    ("high_tech_enterprises_new", "ningbo", "2022", "1500"): ("estimate", "expected in Nov 2022 (预计)"),
    ("high_tech_industry_va_yoy", "ningbo", "2024", "9"): ("estimate", "source says 预计"),
    ("rd_gdp_ratio", "wenzhou", "2020", "2.2"): ("estimate", "stated in Dec 2020 before the R&D survey"),
    ("rd_expenditure", "ningbo_hightech_zone", "2021", "28"): ("estimate", "source says 预计"),
    ("sci_tech_fund_single_size", "ningbo", "2023", "50"): ("reported", "an authorised scale, not paid-in capital"),
    ("sci_tech_fund_size", "ningbo", "2018", "23"): ("derived", "2 + 21.53 (fund capital invested plus leveraged social capital), rounded in the source"),
    ("gdp", "ningbo", "2010", "5125.82"): ("preliminary", "bulletin's first release; the final NBS figure is 5163"),
    ("gdp", "ningbo", "2011", "6010.48"): ("preliminary", "bulletin's first release; the final NBS figure is 6059.24"),
    ("gdp", "ningbo", "2012", "6524.7"): ("preliminary", "bulletin's first release; the final NBS figure is 6582.2"),
    ("gdp", "dalian", "2016", "6810.1998", "zz14754"): ("revised", "differs from the 2019 download (6730.33): a later revision"),
}

# ---------------------------------------------------------------------------------------------
# 6. Qualifiers (value stays the bound; the quote keeps the original wording).
#    Key: (harvest indicator_id, region, period, value[, url substring]) -> (qualifier, wording)

QUALIFIERS = {
    ("high_tech_enterprises", "dalian", "2022", "4000"): (">", "超过4000家"),
    ("tech_contract_value", "hangzhou", "2023", "1500"): (">", "超1500亿元"),
    ("hq_enterprises", "ningbo", "2019", "500"): (">", "over 500"),
    ("digital_economy_core_va", "ningbo", "2021", "1000"): (">", "突破1000亿元"),
    ("high_tech_enterprises", "ningbo", "2020", "3000"): (">", "将突破3000家"),
    ("high_tech_enterprises", "ningbo", "2023", "7000"): (">", "突破7000家"),
    ("high_tech_enterprises", "ningbo", "2024", "8800"): (">", "预计突破8800家"),
    ("high_tech_enterprises", "ningbo", "2025", "10000"): (">", "预计突破1万家"),
    ("high_tech_industry_va_share", "ningbo", "2018", "50"): (">", "首次超过50%"),
    ("rd_expenditure", "ningbo", "2021", "400"): (">", "400亿元以上俱乐部"),
    ("rd_gdp_ratio", "ningbo", "2023", "3.0"): (">", "may exceed 3%"),
    ("sci_tech_projects", "ningbo", "2018", "120"): (">", "over 120"),
    ("sci_tech_projects", "ningbo", "2020", "350"): (">", "350多个"),
    ("invention_patents_per_10k", "ningbo_hightech_zone", "2019", "210"): (">", "more than 210"),
    ("invention_patents_per_10k", "ningbo_hightech_zone", "2020", "240"): (">", "突破240件"),
    ("rd_gdp_ratio", "ningbo_hightech_zone", "2019", "7.1", "ningbolife.com"): (">", "more than 7.1%"),
    ("rd_gdp_ratio", "ningbo_hightech_zone", "2019", "7.1", "daily.cnnb.com.cn"): (">", "超过7.1%"),
    ("high_tech_enterprises", "shenzhen", "2019", "17000"): (">", "累计超过1.7万家"),
    ("high_tech_enterprises", "shenzhen", "2024", "25000"): (">", "突破2.5万家"),
    ("high_tech_enterprises", "suzhou", "2021", "11000"): (">", "11000余家"),
    ("high_tech_enterprises", "suzhou", "2023", "15700"): (">", "超过1.57万家"),
    ("high_tech_enterprises", "suzhou", "2024", "17400"): (">", "超1.74万家"),
    ("tech_contract_value", "suzhou", "2022", "800"): (">", "超过800亿元"),
    ("tech_contract_value", "suzhou", "2023", "1000"): (">", "突破1000亿元"),
    ("high_tech_enterprises", "wenzhou", "2022", "3700"): (">", "累计超3700家"),
    ("tech_smes", "wenzhou", "2022", "14000"): (">", "累计超1.4万家"),
    ("high_skilled_talents_total", "ningbo", "2022", "700000"): ("~", "nearly 700,000"),
    ("rd_gdp_ratio", "ningbo", "2019", "2.8"): ("~", "nearly 2.8%"),
    ("invention_patents_per_10k", "suzhou", "2021", "70"): ("~", "近70件"),
    ("rd_gdp_ratio", "hangzhou", "2019", "3.4"): ("~", "3.4左右"),
    ("national_high_tech_zone_rank", "ningbo", "2024", "10"): ("<=", "首次跻身全国前十 (top 10; exact rank not stated)"),
    # --- second harvest (keys use the curated id)
    ("labour_productivity", "ningbo", "2019", "21"): (">", "超过21万元/人"),
    ("high_tech_enterprises_new", "ningbo", "2022", "1500"): (">", "expected ... increase of over 1,500"),
    ("rd_gdp_ratio", "wenzhou", "2020", "2.2"): (">", "超过2.2%"),
    ("overseas_high_level_talents_stock", "ningbo", "2017", "10000"): (">", "海外高层次人才突破1万人"),
    ("ip_service_institutions_stock", "china", "2021", "84000"): ("~", "约为8.4万家"),
    ("angel_investable_capital", "ningbo", "2022-06", "400"): (">", "可投资本超过400亿元"),
    ("angel_fund_leveraged_capital", "ningbo", "2024-05", "20"): (">", "more than 2 billion yuan"),
    ("valid_invention_patents", "ningbo_hightech_zone", "2020", "3500"): (">", "累计超过3500件"),
    ("national_innovative_city_rank", "ningbo", "2023", "21"): (">=", "absent from the published top 20: rank 21 or lower"),
    ("high_tech_enterprises_new", "wenzhou", "2021", "766"): (">=", "first 2021 batch only: the full-year count is at least 766"),
}

# Rows whose quote contains bound-like words that do not qualify the value itself (reviewed).
NO_QUALIFIER = {
    ("rd_expenditure", "china", "2023", "33357.1"): "突破3.3万亿元 qualifies the round number; 33357.1 is exact",
    ("rd_expenditure", "china", "2019", "22143.6"): "首次突破2万亿元 qualifies the round number; 22143.6 is exact",
    ("rd_gdp_ratio", "china", "2024", "2.69"): "接近2.7% refers to the round number; 2.69 is exact",
    ("high_tech_enterprises", "xiamen", "2022", "3607"): "净增数超过800家 qualifies the increase, not the stock",
    ("high_tech_enterprises", "shenzhen", "2023", "24000"): "新增1000家以上 qualifies the increase; 达到2.4万家 is a rounded level",
    ("rd_gdp_ratio", "dalian", "2021", "3.02"): "突破3% refers to the threshold; 3.02 is exact",
    ("rd_gdp_ratio", "shenzhen", "2023", "6.46"): "首次突破6% refers to the threshold; 6.46 is exact",
    ("rd_gdp_ratio", "ningbo_hightech_zone", "2019", "7.1", "chinadaily.com.cn"): "this article states 7.1 percent without a bound",
    ("rd_gdp_ratio", "ningbo", "2019", "2.84"): "derived from '7.1 percent' / '2.5 times'; approximation explained in notes",
    ("resident_population", "ningbo", "2018", "820.2", "qy924.com"): "derived from the 2019 level minus the increase",
    ("high_tech_industry_va", "ningbo", "2018", "1872.1"): "增长近7% qualifies the growth rate, not the level",
    ("high_tech_enterprises", "ningbo", "2017", "1479"): "65%以上 qualifies the spending share, not the count",
    ("high_tech_enterprises", "shenzhen", "2016", "8037"): "3倍以上 qualifies the increase; 累计达8037家 is exact",
    ("invention_patents_per_10k", "shenzhen", "2021", "112"): "约5.7倍 qualifies the ratio to the national level",
    ("rd_gdp_ratio", "shenzhen", "2016", "4.1"): "超过800亿元 qualifies R&D spending, not the ratio",
    ("gdp", "wenzhou", "2024", "9718.8"): "突破9千亿元 refers to the threshold; 9718.8 is exact",
    ("high_tech_enterprises", "xiamen", "2018", "1626"): "近一半 qualifies the provincial share",
    ("high_tech_enterprises", "zhejiang", "2019", "11931"): "有望突破1.5万家 is the year-end expectation; 11931 is exact",
    ("rd_expenditure", "zhejiang", "2019", "1669.8"): "超过了千亿元 refers to the threshold club",
    ("rd_gdp_ratio", "zhejiang", "2023", "3.20"): "超过全国平均水平 compares with the national level",
    # --- second harvest
    ("digital_economy_core_va", "ningbo", "2022", "1119"): "近五年 qualifies the period of the growth rate",
    ("gdp", "wenzhou", "2022", "8029.8"): "增长7%左右 is the plan's growth target; 8029.8 is the outturn",
    ("enterprise_rd_centers_provincial_plus", "ningbo", "2008", "112"): "省级以上 names the tier, not a bound",
    ("enterprise_rd_institutions", "ningbo", "2015", "1082"): "市级以上 names the tier, not a bound",
    ("rd_institutions_provincial_plus", "ningbo_hightech_zone", "2020", "56"): "省级及以上 names the tier, not a bound",
    ("global_top_talents_two_year", "ningbo", "2020", "17"): "近两年 qualifies the period, not the count",
    ("high_level_talents_introduced", "wenzhou_hightech_zone", "2019", "2355"): "省级以上 qualifies another count",
    ("high_tech_enterprises", "ningbo", "2021", "3919"): "超25% qualifies the growth rate, not the stock",
    ("leading_talents_national_provincial_stock", "ningbo", "2017", "332"): "突破1萬 qualifies another count",
    ("science_education_bases_provincial_plus", "zhejiang", "2022", "343"): "省级以上 names the tier, not a bound",
    ("specialized_little_giants_city_rank", "ningbo", "2023", "5"): "top 10 names the list; Ningbo is fifth in it",
    ("yongjiang_lab_research_teams", "ningbo", "2022-05", "8"): "目前已 is a date, not a bound",
}
BOUND_WORDS = re.compile(r"突破|超过|超|逾|(?<!规模)以上|余家|多个|多家|近|约|左右|more than|over |nearly|about|exceed|前十|top")

# ---------------------------------------------------------------------------------------------
# 7. Preferred vintage per (indicator, region, period) with several rows.
#    Key: (curated indicator_id, region, period) -> (value, url substring, reason)
#    Keys with a single row are preferred automatically.

PREFERRED = {
    # --- Ningbo
    ("gdp", "ningbo", "2019"): ("11985.1", "ningbolife.com",
        "unrounded preliminary figure (1.19851 trillion); the 11985 rows are the same figure rounded (NOTES §2)"),
    ("gdp", "ningbo", "2020"): ("12408.7", "xiaomonv0755.com/tjgb/11zj",
        "the 2020 statistical bulletin's exact figure (also the Jan-2021 release and the 2021 work report); "
        "13100 is only a rounded '1.31万亿' base in the Jan-2026 work report: its revised neighbours (2019, 2021, 2022) "
        "are not in the data, and mixing it in would put a break into the series and into the 2020 R&D intensity "
        "(2.85% was computed on the original GDP); keep 13100 as a later revised vintage"),
    ("gdp", "ningbo", "2023"): ("17146.6", "nbtv.cn",
        "revised after the 5th economic census in the 2024 bulletin; 2024 (18147.7) is on the same basis (NOTES §2)"),
    ("rd_gdp_ratio", "ningbo", "2015"): ("2.41", "aidisha.cn",
        "final figure of the 14th five-year S&T plan replaces the Jan-2016 estimate 2.4 and its rounded repetition (NOTES §2)"),
    ("rd_gdp_ratio", "ningbo", "2017"): ("2.35", "kjj.ningbo.gov.cn",
        "both rows give the S&T bureau's 预计 value; the bureau's own summary is the originator (provisional, NOTES §2)"),
    ("rd_gdp_ratio", "ningbo", "2019"): ("2.8", "ningbolife.com",
        "direct statement of the city ratio ('nearly 2.8%'); 2.84 is derived from two rounded inputs and its extra "
        "precision is spurious (NOTES §2)"),
    ("rd_gdp_ratio", "ningbo", "2023"): ("3.08", "kjj.ningbo.gov.cn",
        "final figure in the S&T bureau's 2024 work summary replaces the late-2023 '>3%' expectation (NOTES §2)"),
    ("resident_population", "ningbo", "2018"): ("820.2", "cpcic.org",
        "direct statement; the qy924 row is derived (854.2 - 34.00) and gives the same value; both weak, old "
        "pre-census series (NOTES §3)"),
    ("resident_population", "ningbo", "2019"): ("854.2", "chinadaily.com.cn",
        "dated news citing the 2019 communique; the qy924 row is a commercial aggregator (same value)"),
    ("resident_population", "ningbo", "2020"): ("942.0", "news.cnnb.com.cn",
        "year-end 2020 resident population, consistent with the year-end series 2021-2024; 940.4283 and 940.4 are "
        "the 1-Nov-2020 census count (NOTES §2)"),
    ("resident_population", "ningbo", "2023"): ("969.7", "bx2200.com",
        "stated directly in the 2024 population bulletin; the 2024 statistical bulletin row is derived (977.7 - 8.0) "
        "and the tqbk row is an aggregator (same value)"),
    ("resident_population", "ningbo", "2024"): ("977.7", "nbtv.cn",
        "2024 statistical bulletin with an exact date; the population bulletin repost gives the same value"),
    ("high_tech_enterprises", "ningbo", "2020"): ("3102", "chinadaily.com.cn",
        "actual end-2020 stock replaces the December-2020 projection '>3000' (NOTES §2)"),
    ("invention_patents_granted", "ningbo", "2017"): ("5382", "kjj.ningbo.gov.cn",
        "exact figure of the S&T bureau (also the IP white paper); 5400 is rounded in the 2018 work report (NOTES §2)"),
    ("sci_tech_2025_major_projects", "ningbo", "2020"): ("240", "japanese.ningbo.gov.cn",
        "official government site, exact count of projects under way (Nov 2020); '350多' counts projects deployed "
        "2018-2020, a different basis (NOTES §2)"),
    ("national_high_tech_zone_rank", "ningbo", "2016"): ("17", "nbhtz.gov.cn",
        "the zone administration's own release; china.com.cn gives the same rank"),
    ("national_high_tech_zone_rank", "ningbo", "2021"): ("13", "kjj.ningbo.gov.cn",
        "S&T bureau work summary; the news repost gives the same rank"),
    ("national_high_tech_zone_rank", "ningbo", "2024"): ("10", "kjj.ningbo.gov.cn",
        "S&T bureau work summary; the work report gives the same 'top 10'"),
    ("national_innovative_city_rank", "ningbo", "2021"): ("15", "ezhejiang.gov.cn",
        "direct statement of the rank; the 2023 row derives the same rank (16 - 1)"),
    ("specialized_little_giants", "ningbo", "2021"): ("182", "daily.cnnb.com.cn",
        "municipal party-congress report (宁波日报); the 21财经 article gives the same cumulative count"),
    # --- ningbo_hightech_zone
    ("rd_gdp_ratio", "ningbo_hightech_zone", "2019"): ("7.1", "daily.cnnb.com.cn",
        "original Chinese report (宁波日报 A1, '超过7.1%'); the two English rows restate it"),
    # --- China
    ("rd_expenditure", "china", "2020"): ("24393.1", "xhyb.net.cn",
        "final figure of the 2020 R&D bulletin replaces the communique's 24426; the 2022 row derives the same value"),
    ("rd_expenditure", "china", "2023"): ("33357.1", "pfnrcvx.cn",
        "final figure of the 2023 R&D bulletin (bulletin wording) replaces the communique's 33278"),
    ("rd_expenditure", "china", "2024"): ("36326.8", "netbig.top",
        "final figure of the 2024 R&D bulletin replaces the preliminary 36130"),
    ("rd_gdp_ratio", "china", "2020"): ("2.40", "xhyb.net.cn",
        "one vintage throughout: the original series of the R&D bulletins (2019 2.23, 2021 2.44 '+0.03pp' "
        "are on it); 2.36 is a 2026 restatement after GDP revision (NOTES §2)"),
    ("rd_gdp_ratio", "china", "2023"): ("2.65", "xbqs.cn",
        "final figure of the 2023 R&D bulletin replaces the communique's 2.64"),
    ("rd_gdp_ratio", "china", "2024"): ("2.69", "netbig.top",
        "final figure of the 2024 R&D bulletin replaces the preliminary 2.68; the 2026 article repeats 2.69"),
    ("high_value_invention_patents_per_10k", "china", "2021"): ("7.5", "jieyan321.com",
        "dated news (光明网) over the unattributed code-file copy (same value)"),
    ("high_value_invention_patents_per_10k", "china", "2025"): ("16", "usy7.cc",
        "dated news of the SCIO briefing over the code-file copy (same value)"),
    # --- other regions
    ("gdp", "hangzhou", "2021"): ("18109", "z.hangzhou.com.cn",
        "the city's work-report feature (杭州网两会专题) over a later repost (same value)"),
    ("gdp", "hangzhou", "2024"): ("21860", "hzzx.gov.cn",
        "government site (work report) over an aggregator (same value)"),
    ("rd_expenditure", "shenzhen", "2023"): ("2236.61", "a899.cn",
        "南方日报 citing the 2023 Guangdong R&D bulletin; the 2025 graphic repeats it"),
    ("gdp", "zhejiang", "2023"): ("85620", "chujupifa.com",
        "revised after the 5th economic census, published with the 2024 figures (NOTES §2)"),
    ("rd_gdp_ratio", "xiamen", "2024"): ("3.46", "reportify.cn",
        "later and more precise (Oct 2025, '0.77pp above' the final national 2.69); 3.4 ('0.72pp above' the "
        "preliminary national 2.68) is the earlier rounded value; the 3.46 source is a weak digest (NOTES §2)"),
    # --- second harvest conflicts
    ("gdp", "ningbo", "2010"): ("5163.0", "zz14754", "final figure of the NBS city data (the series used for 2010-2022); "
        "5125.82 is the bulletin's first release"),
    ("gdp", "ningbo", "2011"): ("6059.2409", "zz14754", "final figure of the NBS city data; 6010.48 is the bulletin's first release"),
    ("gdp", "ningbo", "2012"): ("6582.2", "zz14754", "final figure of the NBS city data; 6524.7 is the bulletin's first release"),
    ("gdp", "ningbo", "2015"): ("8003.6103", "zz14754", "final figure of the NBS city data; 8011.5 is a copied city profile "
        "(weak source) with another, probably earlier, value"),
    ("gdp", "ningbo", "2022"): ("15704.3", "zz14754", "exact figure of the NBS city data; 15700 is '1.57 trillion' rounded "
        "(the article's sector values add up to 15714.3)"),
    ("gdp", "dalian", "2016"): ("6810.1998", "zz14754", "the later download carries the revised value; 6730.33 is the 2019 vintage"),
    ("high_tech_enterprises", "shenzhen", "2024"): ("25700.0", "finchain-agent",
        "exact count of national high-tech enterprises, consistent with the '突破2.5万家' bound; the source is a weak panel"),
    ("rd_gdp_ratio", "china", "2012"): ("1.98", "huhuaping/techme",
        "the R&D bulletin series (one vintage with 2013-2023); 1.91 is a 2026 restatement on the revised GDP basis"),
    ("tech_smes", "wenzhou", "2022"): ("14000", "0577ou.com",
        "cumulative stock (like the Ningbo tech_smes row); 2159 counts firms newly registered in 2022 (flow), kept "
        "for the record (NOTES §2)"),
}

# Extra curation notes on single rows (warnings for users of the data; no value is changed).
ROW_NOTES = {
    ("resident_population", "ningbo", "2020", "940.4", "chinadaily.com.cn"):
        "the page is dated 2021-03-17 but quotes the census count released in May 2021: the profile page was "
        "probably updated later; the census bulletin row carries the same count",
    ("high_tech_enterprises", "zhejiang", "2019", "11931"):
        "intra-year count (Nov 2019, before that year's certification round), not a year-end stock (NOTES §3)",
    ("high_tech_enterprises", "ningbo", "2023", "7000"):
        "the same July-2024 statement was also harvested as period 2024-06; that duplicate is dropped (CHANGELOG)",
    ("rd_gdp_ratio", "ningbo", "2017", "2.35", "chinagate.cn"):
        "the work report repeats the S&T bureau's 预计 value of 2018-03-06 without saying so; provisional (NOTES §2)",
    ("gdp", "ningbo", "2022", "15700"):
        "rounded (1.57 trillion); the article's sector values add up to 15714.3; check the 2022 bulletin (NOTES §2)",
}

# ---------------------------------------------------------------------------------------------
# 8. Sources: kind, weakness, notes. First matching rule wins (match = substring of the address,
#    or of the title for sources without an address).
#    Kinds: bulletin | yearbook | bureau | government_report | news | paper | policy | aggregator | other
#    weak=True for the rows NOTES.md §4 lists as weak; reposts of official text on unrelated
#    hosts are not weak but carry "repost on <host> of <original publisher>; confirm against original".

def repost(host: str, original: str) -> str:
    return f"repost on {host} of {original}; confirm against original"


W_AGG = "weak (NOTES §4): aggregator or profile site, provenance unclear"
W_MACHINE = "weak (NOTES §4): machine-written or machine-edited text"
W_SPAM = "weak (NOTES §4): spam-like host"
W_BOOK = "weak (NOTES §4): book passage, uploaded document or abstract"
W_SECONDARY = "weak (NOTES §4): secondary copy, original not seen"
W_COMMENT = "weak (NOTES §4): commentary or analysis with inferred years"

# (match, kind, weak, notes, date rule or None)
SOURCE_RULES = [
    # --- weak sources (NOTES §4)
    ("tjnenfu.com", "aggregator", True, W_AGG + "; unattributed text, year inferred from context", None),
    ("tqbk.net", "aggregator", True, W_AGG + "; encyclopedia-style page", None),
    ("psic.org.cn", "aggregator", True, W_AGG + "; data site citing 宁波统计年鉴2021", None),
    ("cpcic.org", "aggregator", True, W_AGG + "; third-party city profile", None),
    ("qy924.com", "aggregator", True, W_AGG + "; commercial market-data site (华经产业研究院)", None),
    ("mtoou.info", "aggregator", True, W_AGG + "; chart of a paper's own estimate", None),
    ("chaxiaohao.com", "aggregator", True, W_AGG + "; secondary commentary", None),
    ("wanbiaoku.com", "aggregator", True, W_AGG, None),
    ("wenxiaobai.com", "aggregator", True, W_AGG + "; an official row agrees", None),
    ("reportify.cn", "aggregator", True, W_AGG + "; digest of a 中国经济网 article; the patent year is assumed", None),
    ("jiusongjiankang.com", "aggregator", True, W_MACHINE, None),
    ("almiassist.com", "aggregator", True, W_MACHINE + "; rounded '6.8万亿'", None),
    ("ydl2win.com", "other", True, W_SPAM + "; copy of a city profile (宁波概况)", None),
    ("sdzichen.com", "news", True, W_SPAM + "; mirror of 厦门日报 news", None),
    ("gaysicle.com", "news", True, W_SPAM + "; repost of 海曙新闻", None),
    ("0577ou.com", "news", True, W_SPAM + "; tag listing mirroring 温州网 (letter of the Wenzhou party committee and government)", None),
    ("qbook.qq.com", "other", True, W_BOOK + "; QQ阅读 e-book", None),
    ("zhangyue.com", "other", True, W_BOOK + "; 掌阅 e-book", None),
    ("cucdc.com", "yearbook", True, W_BOOK + "; yearbook table uploaded to a document site; the city is not named and was "
     "attributed to Hangzhou because the implied GDP matches; verify", "yearbook"),
    ("renrendoc.com", "other", True, W_BOOK + "; user-uploaded market report; its 19.4% growth looks wrong", None),
    ("soulun.net", "paper", True, W_BOOK + "; journal abstract", None),
    ("ppdoc.com", "paper", True, W_BOOK + "; journal abstract", None),
    ("handmsg.com", "paper", True, W_BOOK + "; journal article reposted on handmsg.com", None),
    ("nbs_2025_communique_briefing", "other", True, W_SECONDARY + "; figures quoted in a public code file, no URL", None),
    ("secondary copy in a public code file (file not named", "other", True,
     W_SECONDARY + "; figures quoted in a public code file, no URL; news rows back 2021 and 2025", None),
    ("Python script: 从《全国科技经费投入统计公报》", "other", True,
     W_SECONDARY + "; provincial series compiled in a public code file; its 2019, 2020 and 2022 values match the bulletin",
     "rd_bulletin"),
    ("github.com/Rock-Candy-Tea/RSSHUB-PAGE", "news", True,
     W_SECONDARY + "; 新京智库 article for Sina Finance archived in a GitHub repository", None),
    ("大连科技创新背景与现状", "other", True, W_SECONDARY + "; untitled secondary article, source address unknown", None),
    ("bkwk.cn", "other", True, W_COMMENT + "; the 2022 year is inferred and 380 is an estimate", None),
    ("zjwlzx.com", "other", True, W_COMMENT + "; '>400亿' bound from a city ranking", None),
    ("m.163.com", "news", True, W_COMMENT + "; 网易号 commentary on the 2026 Wenzhou work report", None),
    ("paper.wenweipo.com", "news", True, W_COMMENT + "; the year is inferred from a five-year review", None),
    ("regional.chinadaily.com.cn/ningbo/2024-04/19", "news", True,
     W_COMMENT + "; year and definition of the 51,000 inferred from English wording", None),
    # --- reposts of official or newspaper text on unrelated hosts (NOTES §4, second table)
    ("cgia.cn", "news", False, repost("cgia.cn", "宁波日报"), None),
    ("010b.com", "government_report", False, repost("010b.com", "宁波市人民政府 (2021 government work report)"), None),
    ("xiaomonv0755.com/tjgb/11zj", "bulletin", False, repost("xiaomonv0755.com", "宁波市统计局 (2020 statistical bulletin)"), None),
    ("xiaomonv0755.com/tjgb/06ln", "bulletin", False, repost("xiaomonv0755.com", "大连市统计局 (2023 statistical bulletin)"), None),
    ("xindetihuiya.com", "bulletin", False, repost("xindetihuiya.com", "宁波市统计局 (7th census bulletin)"), "census"),
    ("dcgqt.com", "bulletin", False, repost("dcgqt.com", "宁波市统计局 (2022 population bulletin)"), None),
    ("bx2200.com/baogao", "government_report", False, repost("bx2200.com", "宁波市人民政府 (2023 work report)"), None),
    ("bx2200.com", "bulletin", False, repost("bx2200.com", "宁波市统计局 (2024 population bulletin)"), None),
    ("aidisha.cn", "news", False, repost("aidisha.cn", "中国宁波网 (report on the 14th five-year S&T plan)"), None),
    ("emrcity.com", "policy", False, repost("emrcity.com", "宁波市人民政府 (13th five-year S&T plan text)"), None),
    ("cqtresearch.com", "news", False, repost("cqtresearch.com", "宁波日报"), None),
    ("xpykjsws.com", "news", False, repost("xpykjsws.com", "宁波市人力社保局 news"), None),
    ("baogaosu.com", "news", False, repost("baogaosu.com", "宁波日报"), None),
    ("670818.com", "news", False, repost("670818.com", "宁波日报 / 中国宁波网"), None),
    ("olppe.com", "news", False, repost("olppe.com", "扬子晚报"), None),
    ("jdyo.net", "bureau", False, repost("jdyo.net", "宁波市科学技术局 (monthly statistics tables)"), None),
    ("extremexp.net", "news", False, repost("extremexp.net", "宁波日报 / 中国宁波网"), None),
    ("80hlw.com", "bureau", False, repost("80hlw.com", "宁波高新区 (official announcement)"), None),
    ("wellttl.com", "news", False, repost("wellttl.com", "科技日报"), None),
    ("auto-ty.com", "news", False, repost("auto-ty.com", "国家统计局 figures via a commentary"), None),
    ("2961688.com", "news", False, repost("2961688.com", "中国新闻网"), None),
    ("netbig.top", "bulletin", False, repost("bbs.netbig.top", "国家统计局 科学技术部 财政部 (2024 R&D bulletin)"), None),
    ("xbqs.cn", "news", False, repost("xbqs.cn", "经济日报"), None),
    ("pfnrcvx.cn", "news", False, repost("pfnrcvx.cn", "中国新闻网"), None),
    ("tte2b.mobi", "news", False, repost("tte2b.mobi", "人民网 尺素金声"), None),
    ("intobj.cn", "news", False, repost("intobj.cn", "中商产业研究院"), None),
    ("bwgclm.cn", "news", False, repost("bwgclm.cn", "中商产业研究院"), None),
    ("jieyan321.com", "news", False, repost("jieyan321.com", "光明网"), None),
    ("dangjianhuodong.cn", "news", False, repost("dangjianhuodong.cn", "光明网"), None),
    ("usy7.cc", "news", False, repost("usy7.cc", "中国新闻网"), None),
    ("ghqlgyb.cn", "news", False, repost("ghqlgyb.cn", "中国新闻网"), None),
    ("wenxuecity.com", "news", False, repost("wenxuecity.com", "国家知识产权局 figures"), None),
    ("piqiunet.com", "news", False, repost("piqiunet.com", "科技日报"), None),
    ("wanglu.net", "bureau", False, repost("wanglu.net", "科学技术部创新发展司 (technology-market statistics report)"), None),
    ("xcsxls.com", "bureau", False, repost("xcsxls.com", "科技部火炬中心"), None),
    ("zhishi5.com", "bulletin", False, repost("zhishi5.com", "浙江省统计局 (2022 statistical bulletin)"), None),
    ("chujupifa.com", "bulletin", False, repost("chujupifa.com", "浙江省统计局 (2024 statistical bulletin)"), None),
    ("youdao168.com", "news", False, repost("youdao168.com", "中国新闻网"), None),
    ("fjbdm.com", "news", False, repost("fjbdm.com", "中国新闻网"), None),
    ("ttpaihang.com", "bulletin", False, repost("ttpaihang.com", "国家统计局 (2020 R&D bulletin table)"), "rd_bulletin"),
    ("wikiyumyum.com", "news", False, repost("wikiyumyum.com", "南方日报"), None),
    ("szxuejia.com", "news", False, repost("szxuejia.com", "智研咨询 (based on the 2023 R&D bulletin)"), "rd_bulletin"),
    ("cngulu.com", "news", False, repost("cngulu.com", "澎湃新闻"), None),
    ("jizihe.com", "paper", False, repost("jizihe.com", "杭州科技 (journal of 杭州市科技信息研究院)"), None),
    ("mobiupdates.com", "news", False, repost("mobiupdates.com", "浙江网 / 杭州市科技局"), None),
    ("ruixing.cc", "bureau", False, repost("wzgxqy.ruixing.cc", "温州市科学技术局 (2019 work summary)"), None),
    ("hbcasj.com", "news", False, repost("hbcasj.com", "温州市统计局 figures"), None),
    ("cabos.cn", "news", False, repost("cabos.cn", "证券日报"), None),
    ("dbwz.net", "news", False, repost("dbwz.net", "南方财经全媒体"), None),
    ("a899.cn", "news", False, repost("a899.cn", "南方日报"), None),
    ("drmelly.com", "news", False, repost("drmelly.com", "深圳新闻网"), None),
    ("yxiu.cn", "news", False, repost("yxiu.cn", "深圳市统计局 figures"), None),
    ("wybstv.com.cn", "news", False, repost("wybstv.com.cn", "深圳市市场监督管理局 white paper news"), None),
    ("jswotao.com", "news", False, repost("jswotao.com", "苏州统计 analysis"), None),
    ("dingqianjf.com", "news", False, repost("dingqianjf.com", "苏州 news on the 2024 work report"), None),
    ("szkaixx.com", "news", False, repost("szkaixx.com", "青岛市科技局 / 青岛日报"), None),
    ("av069.com", "news", False, repost("av069.com", "中国新闻网"), None),
    ("shadafang.com", "news", False, repost("shadafang.com", "半岛晨报"), None),
    ("zhonghuixigou.com", "news", False, repost("zhonghuixigou.com", "厦门日报"), None),
    # Not in the NOTES repost table, but the page itself says it reposts a bureau release (NOTES §5).
    ("gkzhan.com", "news", False, repost("m.gkzhan.com", "宁波市科学技术局 release"), None),
    ("investchn.com", "news", False, repost("investchn.com", "宁波大榭开发区 news"), None),
    # --- second harvest: public data files (copies of official tables; dates from COPY_RULES)
    ("zz14754/ex_Team01", "yearbook", False, "NBS city annual data (国家数据·主要城市年度数据) downloaded into a public code "
     "repository in 2026; whole-city values; 2018 and earlier look unrevised for the 4th economic census", "copy_city_data"),
    ("Dragon1573/Math_Modeling", "yearbook", False, "the same NBS city annual table downloaded into a public code repository "
     "in 2019 (an earlier vintage)", "copy_city_data"),
    ("huhuaping/techme/blob/9ad60a190dec4a56953da9c478d42cd44c80762a/data/HitechFirmsPub", "other", False,
     "recognition lists of the Torch Centre (innocom.gov.cn) compiled in a public R package; a count of firms listed "
     "in the year, not the stock", "copy_list"),
    ("huhuaping/techme/blob/9ad60a190dec4a56953da9c478d42cd44c80762a/data/PublicBudget", "yearbook", False,
     "China Statistical Yearbook, local general public budget expenditure on science and technology, compiled in a "
     "public R package", "copy_yearbook"),
    ("huhuaping/techme", "bulletin", False, "R&D bulletins and the China Statistical Yearbook on Science and Technology, "
     "compiled in a public R package", "copy_rd_bulletin"),
    ("yuhanl-Yvonne/finchain-agent", "yearbook", True, "weak: China City Statistical Yearbook values as compiled in a "
     "third-party research panel (one row per firm and year)", "copy_city_data"),
    ("shihe110/sgd", "other", True, "weak: population table in a public code repository, original source not stated", None),
    ("Rock-Candy-Tea/RSSHUB-PAGE", "news", False, repost("a public RSS archive", "新京报·新京智库 via 新浪财经"), None),
    ("hbzqbyyxgs.com", "aggregator", True, W_SPAM + "; copy of a Maigoo list of the innovative-city ranking", None),
    ("breakinglatest.news", "news", True, W_MACHINE + "; English rewrite of a 21世纪经济研究院 analysis", None),
    ("wwwzlm.com", "news", True, W_SPAM + "; repost of 科技金融时报", None),
    ("xpykjsws.com", "news", True, W_SPAM + "; repost of 宁波日报/浙江日报 text", None),
    ("calyptus.net", "news", False, repost("news.calyptus.net", "中国新闻网"), None),
    ("ebuyphilippines.com", "news", False, repost("ebuyphilippines.com", "人民网"), None),
    ("ybx365.cn", "government_report", False, repost("m.ybx365.cn", "宁波市人民政府 (2024 work report summary)"), None),
    ("feifmx.com", "news", False, repost("feifmx.com", "央广网"), None),
    ("nbiota.com", "news", False, repost("nbiota.com", "百家号 article (宁波市物联网产业协会)"), None),
    ("qwyd.net", "government_report", False, repost("guanchang.qwyd.net", "宁波市人民政府 (2019 work report)"), None),
    ("ccpc360.com", "policy", False, repost("ccpc360.com", "宁波市人民政府 (14th five-year manufacturing plan)"), None),
    ("emrcity.com/research_show-55", "policy", False, repost("emrcity.com", "宁波市人民政府 (13th five-year S&T plan)"), None),
    ("nbeeia.cn", "news", False, repost("nbeeia.cn", "news on Ningbo's headquarters economy"), None),
    ("tibet.cn", "news", False, repost("tibet.cn", "宁波市政府新闻办 press conference report"), None),
    ("jxxw.com.cn", "news", False, repost("嘉兴日报 e-paper", "新华社"), None),
    ("heec.cahe.edu.cn", "bureau", False, repost("heec.cahe.edu.cn", "国家知识产权局 (2022 survey report)"), None),
    ("cz001.com.cn", "news", False, "local site quoting the published top-20 list of the 2023 innovative-city report", None),
    ("浙江宁波:“十三五”硬核实力上台阶", "news", False, "中国经济导报·中国发展网 interview; no address or date on record", None),
    # --- official and first-hand sources
    ("kjj.ningbo.gov.cn", "bureau", False, "宁波市科学技术局 annual work summary", None),
    ("tjj.ningbo.gov.cn", "bureau", False, "宁波市统计局 monthly table", None),
    ("english.nbstats.gov.cn", "bulletin", False, "English edition of the Ningbo statistical bulletin", None),
    ("zjjcmspublic", "yearbook", False, "宁波统计年鉴2009 (copy on the Zhejiang government server)", "yearbook"),
    ("nbtv.cn", "bulletin", False, "2024 Ningbo statistical bulletin (repost by 宁波广电网, the city broadcaster)", None),
    ("zjzd.stats.gov.cn", "bulletin", False, "", None),
    ("news.cnnb.com.cn/system/2022/03/02", "bulletin", False, "中国宁波网 report of the 2021 population bulletin", None),
    ("news.cnnb.com.cn/system/2026/01/27", "government_report", False, "full text of the 2026 work report", None),
    ("epaper.cnnb.com.cn/nbrb/pc/content/202501/14", "government_report", False, "2025 work report (宁波日报)", None),
    ("epaper.cnnb.com.cn/nbrb/pc/content/202601/29", "government_report", False, "plan-execution report (summary, 宁波日报)", None),
    ("daily.cnnb.com.cn/nbrb/html/2022-04/15", "government_report", False, "municipal party-congress report (five-year review, 宁波日报)", None),
    ("chinagate.cn", "government_report", False, "2018 Ningbo government work report (via china.com.cn)", None),
    ("drc.hangzhou.gov.cn", "government_report", False, "Hangzhou plan-execution report", None),
    ("z.hangzhou.com.cn/2022", "government_report", False, "graphic of the 2022 Hangzhou work report", None),
    ("hzzx.gov.cn", "government_report", False, "summary of the 2025 Hangzhou work report", None),
    ("district.ce.cn", "government_report", False, "2021 Wenzhou work report", None),
    ("szdushi.com.cn/news/1673309059176425", "government_report", False, "2023 Suzhou work report coverage", None),
    ("zhejiang.chinadaily.com.cn/wenzhou", "government_report", False, "highlights of the 2022 Wenzhou work report", None),
    ("nbhtz.gov.cn/art", "policy", False, "14th five-year plan of the Ningbo national high-tech zone", None),
    ("en.nbhtz.gov.cn", "bureau", False, "English site of the zone administration", None),
    ("cnipa.gov.cn", "bureau", False, "CNIPA monthly statistics table", None),
    ("sipo.gov.cn", "bureau", False, "CNIPA (SIPO) monthly statistics table", None),
    ("kjt.zj.gov.cn", "bureau", False, "浙江省科学技术厅 quarterly statistics", None),
    ("tjj.suzhou.gov.cn", "bureau", False, "苏州市统计局 analysis", None),
    ("fx361.cc", "paper", False, "journal article (fx361 periodical archive)", None),
    ("kczg.org.cn", "news", False, "association announcement on a 中国科协 site", None),
]

# ---------------------------------------------------------------------------------------------
# 9. Publication dates.
#    A full harvest date (YYYY-MM-DD) is kept. A missing or partial date ("2021", "2020-08",
#    "2023-12 (approx.)") is estimated from the release calendar of the source's kind, applied to
#    the latest period the source reports, and clamped into the partial date's window (if the rule
#    falls outside it, the window's last day is used: the latest date consistent with the harvest).
#    No estimate lies after TODAY. DATE_OVERRIDES (by address) beat the rules.

DATE_OVERRIDES = {
    # CNIPA December-2016 table 8 carries only "2017"; its sibling tables of the same December-2016
    # release (table 2: 2017-04-07, table 14: 2017-04-10) are dated; use the later one.
    "http://english.sipo.gov.cn/statistics/2016s/201612/1067784.htm":
        ("2017-04-10", "same CNIPA December-2016 release as table 14 (1067778, dated 2017-04-10)"),
    # The 2018 work report page carries only "2018-03"; its address is dated 2018-03/02.
    "http://cn.chinagate.cn/reports/2018-03/02/content_50636294_2.htm":
        ("2018-03-02", "date in the page address (reports/2018-03/02)"),
    # The back-revised 2015 population (858.2) is taken from 宁波统计年鉴2021; it cannot have been
    # public before that yearbook (autumn 2021).
    "http://www.psic.org.cn/lishishuju/4261.html":
        ("2021-12-31", "the page cites 宁波统计年鉴2021 (published in the autumn of 2021); end of 2021"),
    # Second harvest: the interview (no address) quotes figures up to June 2020: second half of 2020.
    "浙江宁波:“十三五”硬核实力上台阶":
        ("2020-12-31", "the text reviews 2015 to June 2020, so it appeared in the second half of 2020; end of 2020"),
}


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def release_rule(rule: str, period: str) -> tuple[date, str]:
    """Return the calendar estimate of a release of ``period`` and the rule in words."""
    year = int(period[:4])
    month = int(period[5:7]) if len(period) == 7 else None
    if month is not None and rule in ("bureau", "bulletin", "monthly"):
        nxt = date(year + (month == 12), month % 12 + 1, 25)
        return nxt, "monthly table for YYYY-MM: the 25th of the following month"
    if month is not None:
        quarter_end_month = ((month - 1) // 3 + 1) * 3
        q_year, q_month = (year + 1, quarter_end_month + 3 - 12) if quarter_end_month == 12 else (year, quarter_end_month + 3)
        return last_day(q_year, q_month), "news for YYYY-MM: end of the quarter after the period's quarter"
    if rule == "bulletin":
        return date(year + 1, 3, 31), "city/provincial statistical bulletin for year Y: Y+1-03-31 (published in March/April)"
    if rule == "census":
        return date(year + 1, 6, 30), ("census bulletin: released after the national census communique of 2021-05-11; "
                                       "end of Q2 as a conservative estimate")
    if rule == "rd_bulletin":
        return date(year + 1, 9, 30), "R&D statistical bulletin for year Y: Y+1-09-30"
    if rule == "government_report":
        return date(year + 1, 2, 15), "government work report reviewing year Y: Y+1-02-15 (delivered Jan/Feb)"
    if rule == "yearbook":
        return date(year + 1, 10, 31), "statistical yearbook with data for year Y: Y+1-10-31 (published in the autumn)"
    if rule == "bureau":
        return date(year + 1, 3, 31), "bureau annual summary for year Y: Y+1-03-31 (issued Jan-Apr)"
    return date(year + 1, 3, 31), "news/other for year Y: end of the following quarter (Y+1-03-31)"


def harvest_window(text: str) -> tuple[date, date] | None:
    """Return the date window of a partial harvest date ('2021', '2020-08', '2023-12 (approx.)')."""
    match = re.match(r"^(\d{4})(?:-(\d{2}))?", text)
    if not match:
        return None
    year = int(match.group(1))
    if match.group(2):
        month = int(match.group(2))
        return date(year, month, 1), last_day(year, month)
    return date(year, 1, 1), date(year, 12, 31)


# =============================================================================================
# SECOND HARVEST (December 2026): observations_wave3_news.csv and observations_wave3_datasets.csv
# Same columns as the first harvest; nothing repeats a first-harvest row. The tables below are
# applied before the common curation steps (sources, dates, qualifiers, preferred vintages).

DEFAULT_MILESTONES3 = ROOT.parent / "shared" / "data-harvest" / "harvest3_milestones.csv"
DEFAULT_WAVE3 = (
    ROOT.parent / "shared" / "data-harvest" / "observations_wave3_news.csv",
    ROOT.parent / "shared" / "data-harvest" / "observations_wave3_datasets.csv",
)

# Release calendars of the originals copied into public data files (rule -> (month, day) of Y+1).
# A copy's commit date only proves the value was public by then; the original was public earlier,
# so the estimate is the original's calendar date, never after the copy.
COPY_RULES = {
    "copy_city_data": ((10, 31), "NBS city annual data / city statistical yearbook for year Y: Y+1-10-31"),
    "copy_rd_bulletin": ((9, 30), "R&D statistical bulletin / S&T statistical yearbook for year Y: Y+1-09-30"),
    "copy_yearbook": ((10, 31), "China Statistical Yearbook (fiscal tables) for year Y: Y+1-10-31"),
    "copy_list": ((12, 31), "recognition lists published during year Y: Y-12-31"),
}


# A revised value cannot have been public before the earlier vintage it replaces was still being
# copied: its latest consistent date is the later copy. Key: (id, region, period, value) -> (date, why)
COPY_DATE_OVERRIDES = {
    ("gdp", "dalian", "2016", "6810.1998"): ("2026-03-20", "revision seen only in the 2026 copy (the 2019 copy has 6730.33); "
                                              "the copy date is the latest date consistent with both"),
}


def copy_release(rule: str, period: str, copied: date) -> tuple[date, str]:
    """Estimate when the original of a copied value was public: its calendar date, capped at the copy."""
    (month, day), text = COPY_RULES[rule]
    year = int(period[:4]) + (0 if rule == "copy_list" else 1)
    estimate = date(year, month, day)
    if estimate > copied:
        return copied, f"{text}; capped at the date of the public copy ({copied.isoformat()})"
    return estimate, f"{text}; the public copy is dated {copied.isoformat()}"


# Whole-id mappings of second-harvest ids. Key: (harvest id, region or "*") -> (curated id, reason).
W3_ID_RULES = {
    ("rd_personnel", "china"): ("rd_personnel_fte", "R&D人员全时当量 (full-time equivalent), printed in 人年"),
    ("rd_personnel", "zhejiang"): ("rd_personnel_fte", "R&D人员全时当量 (full-time equivalent), printed in 人年"),
    ("tech_contract_value_yoy", "wenzhou_hightech_zone"): ("tech_transaction_value_yoy", "growth of 技术交易额 (not registered 技术合同成交额)"),
    ("specialized_little_giants_city_rank", "ningbo"): ("specialized_little_giants_city_rank", "rank of the cumulative national count among cities"),
}
# Single-row id decisions (definition or scope differs from the target's indicator).
# Key: (harvest id, region, period, value) -> (curated id, reason)
W3_ID_SPLITS = {
    ("high_tech_industry_va_share", "ningbo", "2014", "34.68"): ("high_tech_industry_va_share_pre2018", "pre-2018 classification of high-tech industry"),
    ("high_tech_industry_va_share", "ningbo", "2015", "37"): ("high_tech_industry_va_share_pre2018", "pre-2018 classification of high-tech industry"),
    ("high_tech_industry_va_share", "ningbo", "2016", "41.22"): ("high_tech_industry_va_share_pre2018", "pre-2018 classification of high-tech industry"),
    ("labour_productivity", "ningbo", "2014", "15"): ("labour_productivity_quality_report", "basis of the 2016 development-quality report; its 2016 value (21.53) is inconsistent with the planning commission's series (2019 >21, +5.7 since 2015)"),
    ("labour_productivity", "ningbo", "2016", "21.53"): ("labour_productivity_quality_report", "basis of the 2016 development-quality report, inconsistent with the planning commission's series"),
    ("enterprise_rd_institutions", "ningbo", "2008", "112"): ("enterprise_rd_centers_provincial_plus", "provincial-and-above enterprise R&D centres only, narrower than municipal-and-above"),
    ("enterprise_rd_institutions", "ningbo", "2020", "32"): ("national_enterprise_tech_centers", "national enterprise technology centres only"),
    ("enterprise_rd_institutions", "ningbo_hightech_zone", "2020", "56"): ("rd_institutions_provincial_plus", "provincial-and-above R&D institutions of all types in the zone, not only enterprise ones"),
    ("enterprise_rd_institutions_new", "ningbo", "2015", "44"): ("enterprise_rd_centers_provincial_plus_new", "new national and provincial enterprise R&D institutions only (3+29+12)"),
    ("enterprise_rd_institutions_new", "ningbo", "2016", "53"): ("enterprise_rd_centers_provincial_plus_new", "new national and provincial enterprise R&D institutions only (5+4+13+31)"),
    ("global_top_talents_new", "ningbo", "2020", "17"): ("global_top_talents_two_year", "full-time top talents recruited over about two years, year inferred; not an annual flow"),
    ("high_level_talents_introduced", "ningbo", "2017", "10000"): ("overseas_high_level_talents_stock", "stock of overseas high-level talents in Ningbo, not talents introduced in the year"),
    ("high_skilled_talents_new", "ningbo", "2021", "300000"): ("high_skilled_talents_new_five_year_total", "new highly skilled workers over the five years to 2021, not one year"),
    ("ip_service_institutions", "china", "2020", "73000"): ("ip_service_institutions_stock", "stock of IP service institutions (national), not new ones"),
    ("ip_service_institutions", "china", "2021", "84000"): ("ip_service_institutions_stock", "stock of IP service institutions (national), not new ones"),
    ("leading_talents", "ningbo", "2017", "332"): ("leading_talents_national_provincial_stock", "cumulative national and provincial programme selections (91 + 241), a stock"),
    ("leading_talents_new", "ningbo", "2017", "516"): ("municipal_leading_talents_shortlisted", "municipal programme shortlist, not national or provincial leading talents"),
    ("national_industrial_clusters", "ningbo", "2020", "4"): ("national_cluster_cultivation_list", "entries on the national advanced-manufacturing cluster cultivation list, not designated national clusters"),
    ("national_industrial_clusters", "ningbo", "2024", "2"): ("national_industrial_clusters_new", "co-built national advanced manufacturing clusters added in 2024 (flow)"),
    ("private_capital_st_investment", "ningbo", "2019", "17.2"): ("talent_programme_leveraged_capital", "private capital leveraged by talent-programme projects in one year"),
    ("private_capital_st_investment", "ningbo", "2022-06", "400"): ("angel_investable_capital", "investable capital of registered angel investors"),
    ("private_capital_st_investment", "ningbo", "2023", "7442.9"): ("private_fund_aum", "assets under management of all private fund managers"),
    ("private_capital_st_investment", "ningbo", "2024-05", "20"): ("angel_fund_leveraged_capital", "social capital leveraged by the municipal angel investment guidance fund since 2013"),
    ("private_capital_st_investment", "wenzhou_hightech_zone", "2019", "5.99"): ("venture_capital_investment", "investment by venture-capital institutions in the year"),
    ("sci_tech_fund_size", "ningbo", "2022", "10"): ("sci_tech_fund_single_size", "one fund family, not the whole fund cluster"),
    ("sci_tech_fund_size", "ningbo", "2023", "50"): ("sci_tech_fund_single_size", "authorised scale of one fund, not the whole fund cluster"),
    ("science_popularization_bases", "zhejiang", "2022", "343"): ("science_education_bases_provincial_plus", "provincial-and-above science education bases (stock), narrower than all kinds of bases"),
    ("specialized_little_giants_key", "ningbo", "2021", "55"): ("specialized_little_giants_key", "key little giants with central fiscal support (stock)"),
    ("tech_contract_value", "ningbo", "2024-07", "515.05"): ("tech_transaction_value", "技术交易额, not registered 技术合同成交额"),
    ("yongjiang_lab_centers", "ningbo", "2023", "10"): ("yongjiang_lab_research_centers", "research centres laid out, not international first-class new-material centres"),
    ("yongjiang_lab_research_teams", "ningbo", "2022-05", "8"): ("yongjiang_lab_research_teams", "research teams signed (stock), not researchers"),
}
# Unit conversions of second-harvest rows. Key: (curated id, harvest unit) -> (unit, factor, reason)
W3_UNIT_RULES = {
    ("rd_personnel_fte", "人年"): ("万人年", 0.0001, "converted from 人年 to 万人年 (÷ 10000)"),
    ("tech_transaction_value_yoy", "% yoy"): ("%", None, "unit relabelled from '% yoy' to '%'"),
    ("gdp_per_capita", "万元"): ("万元/人", None, "unit relabelled from '万元' to '万元/人' (per person)"),
}
# Rows not kept as observations: differences or summaries of levels that are (or are not) in the
# data. Key: (harvest id, region, period, value) -> reason
W3_DROPS = {
    ("labour_productivity_increase_2015_2019", "ningbo", "2019", "5.7"): "a four-year increase, not a level; its quote is kept with the 2019 level",
    ("rd_gdp_ratio_change_pp", "ningbo", "2019", "0.13"): "a change in percentage points between two years, not a level",
    ("digital_economy_core_va_cagr_5y", "ningbo", "2022", "16.4"): "a five-year average growth rate quoted with the 2022 level, not an annual value",
    ("gdp", "ningbo", "2023", "16453.0"): "the same pre-census first release as 16452.8 (2024 bulletin data), rounded; counted once, "
                                          "the more precise row is kept",
}
# City milestone targets (plans, not outcomes) -> data/milestones.csv, never observations.
# Key: (harvest id, region, year, value) -> (indicator_id, comparator, reading)
MILESTONES = {
    ("rd_gdp_ratio_target", "ningbo", "2024", "3.3"): ("rd_gdp_ratio", ">=", "达到3.3% (stretch goal 3.4%)"),
    ("rd_gdp_ratio_target", "ningbo", "2025", "3.6"): ("rd_gdp_ratio", ">=", "力争达到3.6% (14th five-year S&T plan)"),
    ("high_tech_enterprises_target", "ningbo", "2024", "8500"): ("high_tech_enterprises", ">", "有效高新技术企业数量突破8500家 (stretch goal 9000)"),
    ("high_tech_industry_va_share_target", "ningbo", "2024", "61.5"): ("high_tech_industry_va_share", ">=", "争取达到61.5%"),
    ("tech_contract_value_target", "ningbo", "2024", "900"): ("tech_transaction_value", ">", "技术交易额突破900亿元 (stretch goal 1000)"),
    ("tech_contract_value_target", "ningbo", "2025", "450"): ("tech_transaction_value", ">=", "技术交易额达到450亿元 (14th five-year S&T plan)"),
    ("digital_economy_core_revenue_target", "ningbo", "2023", "5800"): ("digital_economy_core_revenue", ">=", "核心产业营收达5800亿元 (2023 work report)"),
    ("digital_economy_core_revenue_target", "ningbo", "2027", "12000"): ("digital_economy_core_revenue", ">=", "数字经济核心产业营收达1.2万亿元 (力争, digital economy bureau)"),
    ("rd_personnel_per_10k_employed_target", "ningbo", "2025", "190"): ("rd_personnel_headcount_per_10k_employed", ">=", "每万名就业人员中R&D人员数达到190人 (unit as printed: 人)"),
    ("digital_economy_core_va_yoy_target", "ningbo", "2024", "8"): ("digital_economy_core_va_yoy", ">=", "核心产业增加值增长8%"),
    # first-harvest plan figure stored as an observation before (row of chinadaily 2020-06-24)
    ("digital_economy_core_va_target", "ningbo", "2020", "2200"): ("digital_economy_core_va", ">", "targeted to exceed 220 billion yuan (another scope than the 2019 value)"),
}
# Third search (December 2026): the city's 2025 plan figures, harvest3_milestones.csv (own column
# names: indicator, year, comparator, url). Key: (indicator, region, year, value) -> (indicator_id,
# comparator, reading[, id suffix when the year already has a milestone from another plan]).
MILESTONES3 = {
    ("rd_expenditure", "ningbo", "2025", "660"): ("rd_expenditure", ">=", "全社会R&D经费投入达到660亿元 (2025 work plan)"),
    ("high_tech_enterprises", "ningbo", "2025", "10000"): ("high_tech_enterprises", ">", "有效高新技术企业数量突破10000家 (2025 work plan)"),
    ("high_tech_industry_va_share", "ningbo", "2025", "64.7"): ("high_tech_industry_va_share", ">=", "高新技术产业增加值占规上工业增加值的比重达到64.7% (2025 work plan)"),
    ("tech_transaction_value", "ningbo", "2025", "1200"): ("tech_transaction_value", ">=", "技术交易额达到1200亿元 (2025 work plan; the later plan for 2025, after the 14th five-year plan's 450)", "work_plan"),
    ("fiscal_st_expenditure_yoy", "ningbo", "2023", "20"): ("fiscal_st_expenditure_yoy", ">=", "财政科技投入每年按不低于20%的增速 (每年: every year from 2023; recorded for 2023 as stated)"),
}
# Third-search plan figures left out, with the reason (data/CHANGELOG.md lists them).
MILESTONE_REJECTS = {
    ("rd_gdp_ratio", "ningbo", "2025", "(Zhejiang average)"): "no number: the plan sets the intensity to reach the provincial average",
    ("high_tech_industry_investment", "ningbo", "2025", "1000"): "no indicator: high-tech industry investment is not among the plan's targets or indicators",
}
MILESTONE_COLUMNS = ["milestone_id", "indicator_id", "region", "year", "comparator", "value", "unit", "source_id",
                     "published", "quote", "notes"]


def wave3_prepare(rows: list[dict], log: dict) -> tuple[list[dict], list[dict]]:
    """Apply the second-harvest id, unit and drop tables; split off the milestone rows."""
    kept, milestone_rows = [], []
    used = set()
    for row in rows:
        key4 = (row["indicator_id"], row["region"], row["period"], row["value"])
        if row.get("wave") == 4:  # the third search's plan figures (each has a MILESTONES3 decision)
            milestone_rows.append(row)
            continue
        if key4 in MILESTONES:
            used.add(key4)
            milestone_rows.append(row)
            continue
        if row.get("wave") != 3:
            kept.append(row)
            continue
        if key4 in W3_DROPS:
            used.add(key4)
            log["drop"].append((key4, row["url"], W3_DROPS[key4]))
            continue
        new_id, why = W3_ID_SPLITS.get(key4) or W3_ID_RULES.get((row["indicator_id"], row["region"])) or (None, "")
        if key4 in W3_ID_SPLITS:
            used.add(key4)
        if new_id and new_id != row["indicator_id"]:
            row["w3_note"] = f"id {row['indicator_id']} -> {new_id} ({why})"
            log["split"].append((key4, new_id, why))
            row["indicator_id"] = new_id
        rule = W3_UNIT_RULES.get((row["indicator_id"], row["unit"]))
        if rule:
            unit, factor, why = rule
            if factor is not None:
                row["value_raw"] = row["value"]
                row["value"] = format_number(float(row["value"]) * factor)
            log["unit"].append((key4, row["unit"], unit, why))
            row["w3_unit_note"] = why
            row["unit"] = unit
        kept.append(row)
    missing = (set(MILESTONES) | set(W3_DROPS) | set(W3_ID_SPLITS)) - used
    if missing:
        raise SystemExit(f"second-harvest decision entries match no rows: {sorted(missing)}")
    return kept, milestone_rows


def milestone_table(rows: list[dict], source_of: dict) -> list[dict]:
    """Return the milestones.csv rows (sorted) from the milestone harvest rows."""
    out = []
    for row in rows:
        key4 = (row["indicator_id"], row["region"], row["period"], row["value"])
        indicator, comparator, reading, *suffix = (MILESTONES3 if row.get("wave") == 4 else MILESTONES)[key4]
        source_id, published = source_of[id(row)]
        out.append({
            "milestone_id": "_".join([f"m_{row['region']}_{indicator}_{row['period']}", *suffix]),
            "indicator_id": indicator, "region": row["region"], "year": row["period"], "comparator": comparator,
            "value": row["value"], "unit": row["unit"], "source_id": source_id, "published": published,
            "quote": row["quote"].strip(), "notes": f"city milestone, a plan not an outcome; reading: {reading}",
        })
    out.sort(key=lambda m: m["milestone_id"])
    return out


# =============================================================================================
# Definition audit (data/definition_audit.csv): for every target, each figure in observations.csv
# that bears on it is `used` (the target's indicator and region, an annual value), `excluded`
# (same indicator and region but a sub-annual period) or `related` (kept as context under its own
# id because unit, scope, denominator, stock/flow or period differ). Reasons are reader-facing.

USED_REASON = ("Same definition, unit and scope as the target.", "与目标的口径、单位和范围一致。")
SUBANNUAL_REASON = ("Year-to-date or month-end figure; the target is judged on annual values.",
                    "年内累计或月末数据；目标按年度数值评估。")
# target_id -> [(indicator_id, region, reason_en, reason_zh)]
AUDIT_RELATED = {
    "t001_global_top_talents_2027": [
        ("global_top_talent_projects_new", "ningbo", "Counts projects, not persons; the target counts people.", "统计的是项目数而非人数；目标按人数计。"),
        ("global_top_talent_projects_five_year_total", "ningbo", "Projects over five years, not persons in one year.", "五年累计项目数，不是单年人数。"),
        ("global_top_talents_two_year", "ningbo", "A two-year total with an approximate year, not an annual count.", "近两年合计且年份不确定，不是年度数。"),
    ],
    "t001_sci_tech_fund_cluster_2027": [
        ("sci_tech_fund_single_size", "ningbo", "Size of one fund, not the whole fund cluster.", "单只基金规模，不是基金集群总规模。"),
        ("sci_tech_fund_single_size", "ningbo_hightech_zone", "One fund of the high-tech zone, not the city's cluster.", "高新区单只基金，不是全市基金集群。"),
        ("angel_fund_capital_mobilised", "ningbo", "Fund capital plus leveraged capital of one fund, not a cluster size.", "单只基金出资加撬动资金，不是集群规模。"),
    ],
    "t001_rd_personnel_per_10k_2027": [
        ("rd_personnel_per_10k_labour_force", "ningbo", "Per 10,000 labour force, not per 10,000 employed persons.", "分母为劳动力而非就业人员。"),
    ],
    "t004_ningbo_rd_personnel_per_10k_2022": [
        ("rd_personnel_per_10k_labour_force", "ningbo", "Per 10,000 labour force, not per 10,000 employed persons.", "分母为劳动力而非就业人员。"),
    ],
    "t001_high_tech_industry_share_2027": [
        ("high_tech_industry_va_share_pre2018", "ningbo", "Pre-2018 classification of high-tech industry; not comparable.", "2018年前的高新技术产业口径，不可比。"),
    ],
    "t001_leading_talents_2027": [
        ("leading_talents_single_programme_new", "ningbo", "One programme only; the target counts all national and provincial selections.", "仅一个人才计划；目标统计全部国家和省级入选。"),
        ("leading_talents_national_provincial_stock", "ningbo", "A cumulative stock of selections, not new selections in the year.", "累计入选人数（存量），不是当年新入选。"),
        ("municipal_leading_talents_shortlisted", "ningbo", "Municipal programme shortlist, not national or provincial leading talents.", "市级人才工程拟入选名单，不是国家和省级领军人才。"),
    ],
    "t001_sci_tech_projects_2027": [
        ("sci_tech_2025_major_projects", "ningbo", "Projects of an earlier programme, partly counted cumulatively.", "早期专项的项目，部分为累计数。"),
    ],
    "t001_labour_productivity_2027": [
        ("labour_productivity_quality_report", "ningbo", "Another calculation basis, inconsistent with the official series.", "计算口径不同，与官方序列不一致。"),
    ],
    "t001_enterprise_rd_institutions_2027": [
        ("enterprise_rd_centers_provincial_plus", "ningbo", "Provincial level and above only; the target counts municipal level and above.", "仅省级以上；目标统计市级以上。"),
        ("enterprise_rd_centers_provincial_plus_new", "ningbo", "New national and provincial institutions only (a flow).", "仅为当年新增的国家级和省级机构（流量）。"),
        ("national_enterprise_tech_centers", "ningbo", "National enterprise technology centres only.", "仅为国家企业技术中心。"),
    ],
    "t001_high_skilled_talents_2027": [
        ("high_skilled_talents_new_five_year_total", "ningbo", "A five-year total, not one year's flow.", "五年合计，不是单年新增。"),
        ("high_skilled_talents_total", "ningbo", "A stock, not new highly skilled workers.", "存量，不是新增高技能人才。"),
    ],
    "t001_national_industrial_clusters_2027": [
        ("national_cluster_cultivation_list", "ningbo", "Entries on a cultivation list, not designated national clusters.", "培育名单入选数，不是国家级集群认定数。"),
        ("national_industrial_clusters_new", "ningbo", "Clusters added in one year (a flow), not the stock.", "当年新增数（流量），不是存量。"),
    ],
    "t001_ip_service_institutions_2027": [
        ("ip_service_institutions_stock", "china", "National stock, not new institutions in Ningbo.", "全国存量，不是宁波新增机构。"),
    ],
    "t001_science_bases_2027": [
        ("science_popularization_bases", "ningbo", "New provincial bases in one year, not all bases.", "当年新增省级基地，不是各类基地总数。"),
    ],
    "t001_yongjiang_lab_centers_2027": [
        ("yongjiang_lab_research_centers", "ningbo", "Research centres laid out, not international first-class new-material centres.", "已布局的研究中心，不等于国际一流新材料研究中心。"),
    ],
    "t001_yongjiang_lab_researchers_2027": [
        ("yongjiang_lab_research_teams", "ningbo", "Counts research teams, not researchers.", "统计研究团队数，不是科研人员数。"),
    ],
    "t001_national_labs_centers_2027": [
        ("national_labs_innovation_centers", "ningbo", "Additions in the year, not the stock.", "当年新增数，不是存量。"),
    ],
    "t001_high_tech_enterprises_2027": [
        ("high_tech_enterprises_new", "ningbo", "Newly certified firms in the year, not the stock.", "当年新认定企业数，不是存量。"),
        ("high_tech_enterprises_survey", "ningbo", "Firms inside the industrial survey only, not the certified stock.", "仅为规上工业统计范围内的企业，不是有效存量。"),
    ],
    "t001_fiscal_st_growth_2027": [
        ("fiscal_st_expenditure_yoy", "ningbo", "One year's growth rate: evidence on the pace, not the average growth since 2022 by itself.", "单年增速：可说明增长速度，但本身不等于自2022年起的年均增速。"),
    ],
    "t004_high_level_talents_2022": [
        ("overseas_high_level_talents_stock", "ningbo", "Stock of overseas talents in Ningbo, not talents introduced in both cities.", "宁波海外人才存量，不是两市引进人数。"),
        ("high_level_talents_introduced", "wenzhou_hightech_zone", "Wenzhou zone only, and includes cultivated talents.", "仅温州自创区，且含培育人才。"),
    ],
    "t004_private_capital_2022": [
        ("talent_programme_leveraged_capital", "ningbo", "Capital leveraged by one talent-programme round, a narrow proxy.", "单轮人才计划撬动资本，口径很窄。"),
        ("angel_investable_capital", "ningbo", "Investable capital of registered angel investors, a partial proxy.", "备案天使投资可投资本，仅为部分口径。"),
        ("private_fund_aum", "ningbo", "Assets of all private funds, not capital invested in innovation.", "全部私募基金管理规模，不是投向科技创新的资本。"),
        ("angel_fund_leveraged_capital", "ningbo", "Capital leveraged by one fund, a narrow proxy.", "单只基金撬动资本，口径很窄。"),
        ("venture_capital_investment", "wenzhou_hightech_zone", "Venture investment in the Wenzhou zone in one year, a narrow proxy.", "温州自创区单年创投投资额，口径很窄。"),
    ],
    "t004_tech_smes_2022": [
        ("tech_smes", "ningbo", "One city only; the target is the sum of Ningbo and Wenzhou.", "仅一个城市；目标为宁波、温州两市合计。"),
        ("tech_smes", "wenzhou", "One city only; the target is the sum of Ningbo and Wenzhou.", "仅一个城市；目标为宁波、温州两市合计。"),
    ],
    "t004_high_tech_enterprises_2022": [
        ("high_tech_enterprises", "ningbo", "One city only; the target is the sum of Ningbo and Wenzhou.", "仅一个城市；目标为宁波、温州两市合计。"),
        ("high_tech_enterprises", "wenzhou", "One city only; the target is the sum of Ningbo and Wenzhou.", "仅一个城市；目标为宁波、温州两市合计。"),
    ],
    "t004_wzzone_tech_transaction_growth_2022": [
        ("tech_transaction_value_yoy", "wenzhou_hightech_zone", "A single year's growth, not average growth 2017-2022.", "单年增速，不是2017—2022年年均增速。"),
    ],
}
AUDIT_COLUMNS = ["target_id", "indicator_id", "region", "period", "decision", "reason_en", "reason_zh"]


def read_table(path: Path) -> list[dict]:
    """Read a CSV table of the data directory as a list of dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


QUALIFIER_WORDS = {
    ">": ("a lower bound (more than the value)", "为下限（高于该数）"),
    ">=": ("a lower bound (at least the value)", "为下限（不低于该数）"),
    "<": ("an upper bound", "为上限"),
    "<=": ("an upper bound (at most the value)", "为上限（不高于该数）"),
    "~": ("an approximate value", "为约数"),
}
STATUS_WORDS = {
    "estimate": ("an estimate made before the final figure", "为预计数"),
    "preliminary": ("a preliminary figure", "为初步数"),
    "derived": ("derived from other published figures", "由其他公开数据推算"),
}


def value_caveat(observation: dict) -> tuple[str, str] | None:
    """Return the reader-facing caveat (English, Chinese) of a bound, estimate or derived value."""
    parts = [words for words in (QUALIFIER_WORDS.get(observation["qualifier"]), STATUS_WORDS.get(observation["status"])) if words]
    if not parts:
        return None
    return " and ".join(p[0] for p in parts), "，".join(p[1] for p in parts)


def definition_audit(targets: list[dict], observations: list[dict]) -> list[dict]:
    """Return one audit row per (target, indicator, region, period) that bears on a target."""
    periods: dict[tuple, set] = defaultdict(set)
    preferred: dict[tuple, dict] = {}
    for o in observations:
        periods[(o["indicator_id"], o["region"])].add(o["period"])
        if o["preferred"] == "true":
            preferred[(o["indicator_id"], o["region"], o["period"])] = o
    known = {t["target_id"] for t in targets}
    unknown = set(AUDIT_RELATED) - known
    if unknown:
        raise SystemExit(f"AUDIT_RELATED names unknown targets: {sorted(unknown)}")
    out = []
    for t in targets:
        for period in sorted(periods[(t["indicator_id"], t["region"])]):
            reason = USED_REASON if len(period) == 4 else SUBANNUAL_REASON
            caveat = value_caveat(preferred[(t["indicator_id"], t["region"], period)])
            reason = (reason[0].rstrip(".") + "; " + caveat[0] + ".", reason[1].rstrip("。") + "；" + caveat[1] + "。") if caveat else reason
            out.append({"target_id": t["target_id"], "indicator_id": t["indicator_id"], "region": t["region"], "period": period,
                        "decision": "used" if len(period) == 4 else "excluded", "reason_en": reason[0], "reason_zh": reason[1]})
        for indicator, region, en, zh in AUDIT_RELATED.get(t["target_id"], []):
            found = sorted(periods[(indicator, region)])
            if not found:
                raise SystemExit(f"AUDIT_RELATED {t['target_id']}: no observation of {indicator} {region}")
            for period in found:
                out.append({"target_id": t["target_id"], "indicator_id": indicator, "region": region, "period": period,
                            "decision": "related", "reason_en": en, "reason_zh": zh})
    out.sort(key=lambda r: (r["target_id"], r["indicator_id"], r["region"], r["period"]))
    return out


# ---------------------------------------------------------------------------------------------
# Source ids: publisher/host-based slug + year + counter.

SLUGS = [
    ("kjj.ningbo.gov.cn", "nbkjj"), ("tjj.ningbo.gov.cn", "nbtjj"), ("english.nbstats.gov.cn", "nbtjj"),
    ("zjjcmspublic", "nbyearbook"), ("ningbo.gov.cn", "nbgov"), ("nbhtz.gov.cn", "nbhtz"),
    ("cnnb.com.cn", "cnnb"), ("chinadaily.com.cn", "chinadaily"), ("cnipa.gov.cn", "cnipa"), ("sipo.gov.cn", "cnipa"),
    ("kjt.zj.gov.cn", "zjkjt"), ("www.zj.gov.cn", "zjgov"), ("zjzd.stats.gov.cn", "zjtjj"), ("ezhejiang.gov.cn", "ezhejiang"),
    ("zjol.com.cn", "zjol"), ("drc.hangzhou.gov.cn", "hzdrc"), ("hangzhou.com.cn", "hangzhoucom"), ("hzzx.gov.cn", "hzzx"),
    ("wenzhou.gov.cn", "wzgov"), ("tjj.suzhou.gov.cn", "sztjj"), ("szdushi.com.cn", "szdushi"), ("chinagate.cn", "chinagate"),
    ("china.com.cn", "chinacom"), ("people.com.cn", "people"), ("github.com", "github"), ("nbtv.cn", "nbtv"),
    ("nbs_2025_communique_briefing", "codefile"), ("secondary copy in a public code file", "codefile"),
    ("大连科技创新背景与现状", "unknown"),
    ("浙江宁波:“十三五”硬核实力上台阶", "cedn"),
]
TWO_LEVEL_SUFFIXES = ("com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn")


def slug_of(url: str, title: str) -> str:
    for match, slug in SLUGS:
        if match in (url or title):
            return slug
    host = urlsplit(url).netloc.lower()
    labels = host.split(".")
    if any(host.endswith("." + s) for s in TWO_LEVEL_SUFFIXES):
        label = labels[-3]
    else:
        label = labels[-2]
    return re.sub(r"[^a-z0-9]", "", label)


# ---------------------------------------------------------------------------------------------
# Curation


def matches(table: dict, row: dict):
    """Look a row up in a decision table keyed by (id, region, period, value[, url substring])."""
    key = (row["indicator_id"], row["region"], row["period"], row["value"])
    hits = [v for k, v in table.items() if k[:4] == key and (len(k) == 4 or k[4] in row["url"])]
    if len(hits) > 1:
        raise SystemExit(f"ambiguous decision for {key}")
    return hits[0] if hits else None


def read_harvest(path: Path, wave: int = 1) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != HARVEST_COLUMNS:
            raise SystemExit(f"{path}: unexpected columns {reader.fieldnames}")
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        row["line"] = number
        row["wave"] = wave
        raw_url = row["source_url"].strip()
        url = github_url(raw_url) if raw_url.startswith("github:") else raw_url
        row["url"] = URL_FIXES.get(url, url)
        title = row["source_title"].strip()
        row["title"] = TITLE_FIXES.get(title, title)
        row["publisher"] = row["publisher"].strip()
    return rows


MILESTONE_HARVEST_COLUMNS = ["indicator", "region", "year", "comparator", "value", "unit", "published", "url", "quote",
                             "source_title", "publisher", "notes"]


def read_milestone_harvest(path: Path, log: dict) -> list[dict]:
    """Return the third search's plan figures as harvest rows (wave 4), less the rejected ones (logged)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != MILESTONE_HARVEST_COLUMNS:
            raise SystemExit(f"{path}: unexpected columns {reader.fieldnames}")
        raw = list(reader)
    rows, seen = [], set()
    for number, item in enumerate(raw, start=2):
        key4 = (item["indicator"], item["region"], item["year"], item["value"])
        seen.add(key4)
        if key4 in MILESTONE_REJECTS:
            log["milestone_reject"].append((key4, item["url"], MILESTONE_REJECTS[key4]))
            continue
        if key4 not in MILESTONES3:
            raise SystemExit(f"{path}:{number}: plan figure {key4} has no decision (MILESTONES3 or MILESTONE_REJECTS)")
        url = item["url"].strip()
        rows.append({"indicator_id": item["indicator"], "region": item["region"], "period": item["year"], "value": item["value"],
                     "unit": item["unit"], "status": "official", "source_url": url, "url": URL_FIXES.get(url, url),
                     "source_title": item["source_title"], "title": TITLE_FIXES.get(item["source_title"].strip(), item["source_title"].strip()),
                     "publisher": item["publisher"].strip(), "published": item["published"], "quote": item["quote"],
                     "notes": item["notes"], "line": number, "wave": 4})
    missing = {k for k in (*MILESTONE_REJECTS, *MILESTONES3) if k not in seen}
    if missing:
        raise SystemExit(f"{path}: decision entries match no rows: {sorted(missing)}")
    return rows


def replay_intake(intake_dir: Path, data_dir: Path) -> list[str]:
    """Apply every intake batch (data/intake/*.csv, in name order) with `analysis add --from`; return the files."""
    applied = []
    for path in sorted(intake_dir.glob("*.csv")):
        done = subprocess.run([sys.executable, "-m", "analysis", "add", "--data-dir", str(data_dir), "--from", str(path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{path}: add --from failed:\n{done.stderr}")
        applied.append(path.name)
    return applied


def source_rule(url: str, title: str) -> tuple[str, bool, str, str | None]:
    for match, kind, weak, note, rule in SOURCE_RULES:
        if match in (url or title):
            return kind, weak, note, rule
    return "news", False, "", None


def curate(rows: list[dict]) -> tuple[list[dict], list[dict], dict]:
    log: dict[str, list] = defaultdict(list)
    used: dict[str, set] = defaultdict(set)
    kept, milestone_rows = wave3_prepare(rows, log)

    # --- sources: group by address (or by title when there is none)
    groups: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        groups[row["url"] or row["title"]].append(row)
    sources = {}
    for key, members in groups.items():
        url = members[0]["url"]
        titles = Counter(m["title"] for m in members)
        title = TITLE_CHOICE.get(url) or max(titles, key=lambda t: (len(t), t))
        if len(titles) > 1:
            log["title"].append((url or title, sorted(titles)))
        publishers = [m["publisher"] for m in members if m["status"] != "derived"] or [m["publisher"] for m in members]
        publisher = max(set(publishers), key=lambda p: (len(p), p))
        kind, weak, note, rule = source_rule(url, title)
        sources[key] = {"url": url, "title": title, "publisher": publisher, "kind": kind, "weak": weak,
                        "notes": note, "rule": rule or kind, "members": members}
        for m in members:
            m["weak"] = weak

    # --- publication dates (per source and harvest date string)
    for key, src in sources.items():
        by_pub: dict[str, list[dict]] = defaultdict(list)
        for m in src["members"]:
            by_pub[m["published"].strip()].append(m)
        for pub, members in by_pub.items():
            if src["rule"] in COPY_RULES and re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub):
                for m in members:
                    estimate, rule_text = copy_release(src["rule"], m["period"], date.fromisoformat(pub))
                    override = COPY_DATE_OVERRIDES.get((m["indicator_id"], m["region"], m["period"], m["value"]))
                    if override:
                        estimate, rule_text = date.fromisoformat(override[0]), override[1]
                    m["pub"], m["pub_est"] = estimate.isoformat(), True
                    m["pub_note"] = f"published estimated as {estimate.isoformat()}: {rule_text}"
                log["copies"].append((src["url"], pub, src["rule"]))
                continue
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", pub):
                for m in members:
                    m["pub"], m["pub_est"], m["pub_note"] = pub, False, ""
                continue
            if (src["url"] or src["title"]) in DATE_OVERRIDES:
                value, why = DATE_OVERRIDES[src["url"] or src["title"]]
                estimate, rule_text = date.fromisoformat(value), why
            else:
                latest = max(m["period"] for m in members)
                estimate, rule_text = release_rule(src["rule"], latest)
                window = harvest_window(pub)
                if window and not (window[0] <= estimate <= window[1]):
                    estimate = window[1]
                    rule_text += f"; outside the harvest's partial date '{pub}', so its last day"
                elif window:
                    rule_text += f"; within the harvest's partial date '{pub}'"
                if estimate > TODAY:
                    estimate, rule_text = TODAY, rule_text + "; capped at the curation date"
            for m in members:
                m["pub"], m["pub_est"] = estimate.isoformat(), True
                m["pub_note"] = f"published estimated as {estimate.isoformat()}: {rule_text}" + (
                    f" (harvest date: '{pub}')" if pub and not window_note_has(rule_text) else "")
            log["dates"].append((src["url"] or src["title"], pub, estimate.isoformat(), rule_text))

    # --- source ids
    for src in sources.values():
        dates = sorted(m["pub"] for m in src["members"])
        full = {m["published"].strip() for m in src["members"]}
        if len(full) == 1 and re.fullmatch(r"\d{4}-\d{2}-\d{2}", next(iter(full))):
            src["published"], src["published_estimated"] = next(iter(full)), False
        else:
            src["published"], src["published_estimated"] = dates[-1], True
        src["slug"] = slug_of(src["url"], src["title"])
    counters: dict[tuple, int] = defaultdict(int)
    # First-harvest sources are numbered first so that their ids stay stable when later harvests add
    # sources with the same slug and year.
    for src in sorted(sources.values(), key=lambda s: (min(m["wave"] for m in s["members"]), s["slug"], s["published"], s["url"], s["title"])):
        year = src["published"][:4]
        counters[(src["slug"], year)] += 1
        src["source_id"] = f"{src['slug']}_{year}_{counters[(src['slug'], year)]:02d}"
    for src in sources.values():
        for m in src["members"]:
            m["source_id"] = src["source_id"]
    for row in milestone_rows:
        if row["unit"] == "人(年)":
            row["unit"] = "人"  # printed '人' (persons per 10k employed); the harvest wrote 人(年)

    # --- observations
    out = []
    unreviewed: list[str] = []
    log["milestones"] = milestone_table(milestone_rows, {id(r): (r["source_id"], r["pub"]) for r in milestone_rows})
    for row in kept:
        key4 = (row["indicator_id"], row["region"], row["period"], row["value"])
        drop = matches(DROPS, row)
        if drop:
            used["drop"].add(key4)
            log["drop"].append((key4, row["url"], drop))
            continue
        harvest_notes = row["notes"].strip().lstrip("; ").strip()
        notes = [harvest_notes] if harvest_notes else []
        cur: list[str] = []
        indicator, unit, value = row["indicator_id"], row["unit"], row["value"]
        split = ID_SPLITS.get(key4)
        if split:
            used["split"].add(key4)
            indicator = split[0]
            cur.append(f"id split: harvest id {row['indicator_id']} -> {indicator} ({split[1]})")
            log["split"].append((key4, indicator, split[1]))
        if row.get("w3_note"):
            cur.append(row["w3_note"])
        if row.get("w3_unit_note"):
            cur.append(f"{row['w3_unit_note']}" + (f" (printed {row['value_raw']})" if row.get("value_raw") else ""))
        if key4 in AMBIGUOUS_TECH_CONTRACT:
            cur.append("技术合同交易额 is ambiguous (技术交易额 or registered 技术合同成交额); kept under "
                       "tech_contract_value; check which measure before comparing (NOTES §3)")
        period = row["period"]
        if key4 in PERIOD_FIXES:
            used["period"].add(key4)
            period, why = PERIOD_FIXES[key4]
            cur.append(f"period {row['period']} -> {period}: {why}")
            log["period"].append((key4, period, why))
        unit_fix = UNIT_FIXES.get(key4)
        if unit_fix:
            used["unit"].add(key4)
            new_unit, factor, why = unit_fix
            if factor is not None:
                value = format_number(float(value) * factor)
                cur.append(f"converted from {row['value']} {unit}: {why}")
            else:
                cur.append(why)
            log["unit"].append((key4, unit, new_unit, why))
            unit = new_unit
        status = row["status"]
        fix = matches(STATUS_FIXES, row)
        if fix:
            used["status"].add(key4)
            if fix[0] != status:
                cur.append(f"status {status} -> {fix[0]}: {fix[1]}")
                log["status"].append((key4, row["url"], status, fix[0], fix[1]))
            status = fix[0]
        qualifier = ""
        qual = matches(QUALIFIERS, row)
        if qual:
            used["qual"].add(key4)
            qualifier = qual[0]
            cur.append(f"qualifier '{qualifier}' from the wording '{qual[1]}'")
        elif BOUND_WORDS.search(row["quote"]) and not matches(NO_QUALIFIER, row):
            unreviewed.append(f"line {row['line']}: bound-like wording not reviewed: {key4} {row['quote']!r}")
        extra = matches(ROW_NOTES, row)
        if extra:
            used["row_note"].add(key4)
            cur.append(extra)
        if row["pub_est"]:
            cur.append(row["pub_note"])
        out.append({
            "indicator_id": indicator, "region": row["region"], "period": period, "value": value,
            "unit": unit, "qualifier": qualifier, "status": status, "source_id": row["source_id"],
            "published": row["pub"], "published_estimated": bool_text(row["pub_est"]), "preferred": "",
            "quote": row["quote"].strip(), "_notes": notes, "_cur": cur, "_url": row["url"], "_line": row["line"],
            "_weak": row["weak"],
        })

    if unreviewed:
        raise SystemExit("\n".join(unreviewed))

    # --- exact duplicates (same indicator, region, period, value and source): merge
    seen: dict[tuple, dict] = {}
    merged = []
    for obs in out:
        key = (obs["indicator_id"], obs["region"], obs["period"], obs["value"], obs["source_id"])
        if key in seen:
            log["merge"].append((key, obs["_line"], seen[key]["_line"]))
            continue
        seen[key] = obs
        merged.append(obs)
    out = merged

    # --- preferred vintage
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for obs in out:
        by_key[(obs["indicator_id"], obs["region"], obs["period"])].append(obs)
    for key, members in by_key.items():
        if len(members) == 1:
            members[0]["preferred"] = "true"
            continue
        if key not in PREFERRED:
            auto = agreeing_choice(members)
            if auto is None:
                raise SystemExit(f"no preferred vintage decided for {key}: {[(m['value'], m['source_id']) for m in members]}")
            chosen_row, reason = auto
            for m in members:
                m["preferred"] = "true" if m is chosen_row else "false"
                m["_cur"].append(f"preferred: {reason}" if m is chosen_row else
                                 f"not preferred: {chosen_row['source_id']} ({chosen_row['value']}) is the preferred vintage")
            log["preferred"].append((key, [(m["value"], m["source_id"], m["status"]) for m in members], chosen_row["source_id"], reason))
            continue
        value, url_part, reason = PREFERRED[key]
        chosen = [m for m in members if m["value"] == value and url_part in m["_url"]]
        if len(chosen) != 1:
            raise SystemExit(f"preferred rule for {key} matches {len(chosen)} rows")
        for m in members:
            if m is chosen[0]:
                m["preferred"] = "true"
                m["_cur"].append(f"preferred: {reason}")
            else:
                m["preferred"] = "false"
                m["_cur"].append(f"not preferred: {chosen[0]['source_id']} ({value}) is the preferred vintage, reason in its notes")
        log["preferred"].append((key, [(m["value"], m["source_id"], m["status"]) for m in members], chosen[0]["source_id"], reason))
    unused = set(PREFERRED) - set(by_key)
    if unused:
        raise SystemExit(f"PREFERRED entries match no rows: {sorted(unused)}")

    # every decision table entry must have been used
    for name, table, kind in (("ID_SPLITS", ID_SPLITS, "split"), ("UNIT_FIXES", UNIT_FIXES, "unit")):
        missing = set(table) - used[kind]
        if missing:
            raise SystemExit(f"{name} entries match no rows: {sorted(missing)}")
    for name, table, kind in (("ROW_NOTES", ROW_NOTES, "row_note"), ("STATUS_FIXES", STATUS_FIXES, "status"), ("QUALIFIERS", QUALIFIERS, "qual"), ("DROPS", DROPS, "drop")):
        missing = {k[:4] for k in table} - used[kind]
        if missing:
            raise SystemExit(f"{name} entries match no rows: {sorted(missing)}")

    for obs in out:
        parts = obs.pop("_notes")
        cur = obs.pop("_cur")
        if cur:
            parts.append("curation: " + "; ".join(cur))
        obs["notes"] = " | ".join(parts)
    out.sort(key=lambda o: (o["indicator_id"], o["region"], o["period"], o["published"], o["source_id"], float(o["value"])))

    src_rows = []
    for src in sorted(sources.values(), key=lambda s: s["source_id"]):
        src_rows.append({
            "source_id": src["source_id"], "title": src["title"], "publisher": src["publisher"], "url": src["url"],
            "published": src["published"], "published_estimated": bool_text(src["published_estimated"]),
            "kind": src["kind"], "weak": bool_text(src["weak"]), "notes": src["notes"],
        })
    return out, src_rows, log


# Automatic preferred vintage (only when every row of a key agrees within rounding, i.e. within half
# the rounding step of the coarsest printed value): the more
# official status first, then the more digits, then a source not flagged weak, then the later
# publication. Keys whose rows disagree need an explicit PREFERRED entry.
STATUS_ORDER = {"revised": 0, "official": 1, "reported": 2, "derived": 3, "preliminary": 4, "estimate": 5}


def rounding_step(value: str) -> float:
    """Return the rounding step of a printed value ('11985' -> 1, '2.40' -> 0.01, '12409.0' -> 1)."""
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return 10.0 ** -len(text.split(".")[1]) if "." in text else 1.0


def agreeing_choice(members: list[dict]) -> tuple[dict, str] | None:
    """Pick the preferred row among rows that agree within rounding, or None when they disagree."""
    values = [float(m["value"]) for m in members]
    low, high = min(values), max(values)
    coarsest = max(rounding_step(m["value"]) for m in members)
    if high - low > coarsest / 2 + 1e-9:
        return None
    if len({m["qualifier"] for m in members}) > 1 or any(m["status"] == "estimate" for m in members):
        return None

    def digits(m: dict) -> int:
        return len(m["value"].replace(".", "").replace("-", "").strip("0"))

    ranked = sorted(members, key=lambda m: (STATUS_ORDER[m["status"]], -digits(m), m["_weak"], m["published"] == "", [-ord(c) for c in m["published"]], m["source_id"]))
    best = ranked[0]
    return best, (f"values agree within rounding ({', '.join(sorted({m['value'] for m in members}))}); "
                  f"chosen by status, precision, source strength and date")


def window_note_has(rule_text: str) -> bool:
    return "harvest's partial date" in rule_text


def bool_text(flag: bool) -> str:
    return "true" if flag else "false"


def format_number(number: float) -> str:
    text = f"{number:.10f}".rstrip("0").rstrip(".")
    return text or "0"


# ---------------------------------------------------------------------------------------------
# Checks and output


def check(observations: list[dict], sources: list[dict]) -> None:
    problems = []
    ids = {s["source_id"] for s in sources}
    units = defaultdict(set)
    for o in observations:
        units[o["indicator_id"]].add(o["unit"])
        published = date.fromisoformat(o["published"])
        if published > TODAY:
            problems.append(f"{o['indicator_id']} {o['period']}: published {published} after {TODAY}")
        if published.year < int(o["period"][:4]):
            problems.append(f"{o['indicator_id']} {o['period']}: published {published} before the period")
        if o["published_estimated"] == "true" and published < period_end(o["period"]) and "harvest's partial date" not in o["notes"]:
            problems.append(f"{o['indicator_id']} {o['period']}: estimated date {published} before the period ends")
        if o["unit"] == "%" and o["indicator_id"].endswith(("_share", "_ratio", "_rate", "_intensity")):
            if not 0 <= float(o["value"]) <= 100:
                problems.append(f"{o['indicator_id']} {o['period']}: share {o['value']} outside 0-100")
        if o["source_id"] not in ids:
            problems.append(f"unknown source {o['source_id']}")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_]*", o["source_id"]):
            problems.append(f"bad source id {o['source_id']}")
    for indicator, found in units.items():
        if len(found) > 1:
            problems.append(f"{indicator}: several units {sorted(found)}")
    if problems:
        raise SystemExit("\n".join(problems))


def period_end(period: str) -> date:
    if len(period) == 4:
        return date(int(period), 12, 31)
    return last_day(int(period[:4]), int(period[5:7]))


def write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


# Reader-facing cells never mention the raw collection, its working notes or its row numbers
# (a test pins this); provenance stays in this script and in data/CHANGELOG.md.
# (pattern, replacement), applied in order to every output cell.
READER_REWRITES = [
    (r"\s*\((?:NOTES|notes) §\d(?:, ?§\d)*\)", ""),
    (r"\s*\(NOTES\.md §\d\)", ""),
    (r"NOTES\.md §\d(?: of the harvest)?", "the curation log"),
    (r"NOTES §\d(?:, ?§\d)*", "the curation log"),
    (r"\(harvest: ([A-Z]+)\)", r"(collected as \1)"),
    (r"harvest id ", "collected id "),
    (r"the harvest's partial date", "the partial date on record"),
    (r"\(harvest date: '([^']*)'\)", r"(date on record: '\1')"),
    (r"harvest date", "date on record"),
    (r"\bharvest rows? \d+\b", "an earlier row"),
    (r"the harvest(?:'s)?", "the collected data"),
    (r"[Hh]arvest(?:ed)?", "collected"),
    (r"its notes", "its remarks"),
    (r"\bnotes\b", "remarks"),
    (r"NOTES", "remarks"),
]
BANNED = re.compile(r"notes|harvest", re.IGNORECASE)


def reader_text(text: str) -> str:
    """Rewrite one cell so that it no longer refers to the raw collection or its notes."""
    for pattern, replacement in READER_REWRITES:
        text = re.sub(pattern, replacement, text)
    if BANNED.search(text):
        raise SystemExit(f"cell still mentions the collection: {text!r}")
    return text


def reader_clean(rows: list[dict]) -> list[dict]:
    """Apply reader_text to every string cell of a table."""
    return [{k: reader_text(v) if isinstance(v, str) else v for k, v in row.items()} for row in rows]


def changelog(log: dict, rows_in: int, observations: list[dict], sources: list[dict]) -> str:
    rows_out = len(observations)
    lines = []
    add = lines.append
    for key, new_id, why in log["split"]:
        add(f"- Id split: {key[0]} {key[1]} {key[2]} = {key[3]} -> `{new_id}` ({why}).")
    for key, old, new, why in log["unit"]:
        add(f"- Unit: {key[0]} {key[1]} {key[2]} = {key[3]}: '{old}' -> '{new}' ({why}).")
    for key, url, why in log["drop"]:
        add(f"- Dropped: {key[0]} {key[1]} {key[2]} = {key[3]} ({url}): {why}.")
    for key, period, why in log["period"]:
        add(f"- Period: {key[0]} {key[1]} {key[2]} = {key[3]} -> {period} ({why}).")
    for key4, url, why in log.get("milestone_reject", []):
        add(f"- Plan figure left out: {key4[0]} {key4[1]} {key4[2]} = {key4[3]} ({url}): {why}.")
    for m in log["milestones"]:
        add(f"- Milestone (plan, not an observation): {m['milestone_id']} {m['comparator']} {m['value']} {m['unit']} [{m['source_id']}].")
    for url, pub, rule in sorted(set(log["copies"])):
        add(f"- Public data-file copy {url} (copied {pub}): publication dates estimated per row by '{rule}' "
            f"({COPY_RULES[rule][1]}), capped at the copy date.")
    for key, line, kept in log["merge"]:
        add(f"- Merged exact duplicate: {key} (harvest line {line} into line {kept}).")
    if not log["merge"]:
        add("- Exact duplicates (same indicator, region, period, value and source): none found, nothing merged.")
    for key, members, chosen, why in log["preferred"]:
        listed = ", ".join(f"{v} [{s}, {st}]" for v, s, st in members)
        add(f"- Preferred {key[0]} {key[1]} {key[2]}: {chosen} among {listed}. Reason: {why}.")
    for key, url, old, new, why in log["status"]:
        add(f"- Status {key[0]} {key[1]} {key[2]} = {key[3]}: {old} -> {new} ({why}).")
    for source, titles in log["title"]:
        add(f"- Source titles unified for {source}: {' / '.join(titles)}.")
    for bad, good in URL_FIXES.items():
        add(f"- Source address fixed: {bad} -> {good} (same article id).")
    for bad, good in TITLE_FIXES.items():
        add(f"- Source title unified (address-less code-file copy): '{bad}' -> '{good}'.")
    for key, (qualifier, wording) in QUALIFIERS.items():
        add(f"- Qualifier '{qualifier}' on {key[0]} {key[1]} {key[2]} = {key[3]}"
            + (f" ({key[4]})" if len(key) > 4 else "") + f": wording '{wording}'; the value stays the bound.")
    for key, note in ROW_NOTES.items():
        add(f"- Note on {key[0]} {key[1]} {key[2]} = {key[3]}: {note}.")
    for source, pub, estimate, rule_text in sorted(log["dates"]):
        add(f"- Date estimated: {source} (harvest date '{pub}') -> {estimate}: {rule_text}.")
    n_rows = sum(1 for o in observations if o["published_estimated"] == "true")
    add(f"- Publication dates estimated for {n_rows} observations in {len(log['dates'])} (source, harvest date) groups "
        "(published_estimated=true; rule in each row's notes).")
    weak = sum(s["weak"] == "true" for s in sources)
    add(f"- Sources: {len(sources)} ({weak} weak).")
    add(f"- Rows in: {rows_in}; rows out: {rows_out}.")
    return "\n".join(lines) + "\n"


def optional_path(text: str) -> Path | None:
    """Return the path, or None for an empty argument (the step is skipped)."""
    return Path(text) if text else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harvest", nargs="?", type=Path, default=DEFAULT_HARVEST)
    parser.add_argument("--wave3", type=Path, nargs="*", default=list(DEFAULT_WAVE3),
                        help="second-harvest files (news, datasets); none = first harvest only")
    parser.add_argument("--milestones3", type=optional_path, default=DEFAULT_MILESTONES3,
                        help="the third search's plan figures (harvest3_milestones.csv); '' = none")
    parser.add_argument("--data-dir", type=Path, default=ROOT / "data")
    parser.add_argument("--intake-dir", type=optional_path, default=ROOT / "data" / "intake",
                        help="batches handed in after curation, replayed with `analysis add --from` ('' = none)")
    parser.add_argument("--print-changelog", action="store_true", help="print the decision log as CHANGELOG bullets")
    args = parser.parse_args(argv)
    rows = read_harvest(args.harvest)
    for path in args.wave3:
        rows.extend(read_harvest(path, wave=3))
    rejected: dict[str, list] = defaultdict(list)
    if args.milestones3:
        rows.extend(read_milestone_harvest(args.milestones3, rejected))
    observations, sources, log = curate(rows)
    log.update(rejected)
    check(observations, sources)
    observations, sources, milestones = (reader_clean(t) for t in (observations, sources, log["milestones"]))
    args.data_dir.mkdir(parents=True, exist_ok=True)
    write_csv(args.data_dir / "observations.csv", OBS_COLUMNS, observations)
    write_csv(args.data_dir / "sources.csv", SRC_COLUMNS, sources)
    write_csv(args.data_dir / "milestones.csv", MILESTONE_COLUMNS, milestones)
    targets_path = args.data_dir / "targets.csv"
    if targets_path.exists():
        write_csv(args.data_dir / "definition_audit.csv", AUDIT_COLUMNS, definition_audit(read_table(targets_path), observations))
    applied = replay_intake(args.intake_dir, args.data_dir) if args.intake_dir else []
    if args.print_changelog:
        sys.stdout.write(changelog(log, len(rows), observations, sources))
    else:
        print(f"{len(rows)} harvest rows -> {len(observations)} observations, {len(sources)} sources "
              f"({sum(s['weak'] == 'true' for s in sources)} weak); intake replayed: {', '.join(applied) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
