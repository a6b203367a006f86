"""The words and patterns extract reads: units, multipliers, qualifiers, years, regions."""

from __future__ import annotations

import re
from decimal import Decimal

PHRASES_FILE = "indicator_phrases.csv"


PHRASE_COLUMNS = ("indicator_id", "lang", "phrase", "value_kind")


VALUE_KINDS = ("level", "flow", "growth", "share")


LANGS = ("zh", "en")


GAP = "…"


MAX_GAP = 30  # characters allowed inside a gapped phrase ("研发…占GDP")


MAX_REACH = 40  # characters allowed between a phrase and its figure


OUTPUT_COLUMNS = ("indicator_id", "region", "period", "value", "unit", "qualifier", "status", "source_id",
                  "published", "published_estimated", "preferred", "quote", "notes")


# Units of indicators.csv the extractor can fill: unit -> (family, scale in the family's base unit).
INDICATOR_UNITS = {
    "亿元": ("yuan", Decimal("1e8")), "万元": ("yuan", Decimal("1e4")), "%": ("pct", Decimal(1)),
    "家": ("家", Decimal(1)), "件": ("件", Decimal(1)), "人": ("人", Decimal(1)), "万人": ("人", Decimal("1e4")),
    "人年": ("人年", Decimal(1)), "万人年": ("人年", Decimal("1e4")), "个": ("个", Decimal(1)),
    "个(项目)": ("个", Decimal(1)), "项": ("项", Decimal(1)), "种": ("种", Decimal(1)),
    "万人次": ("人次", Decimal("1e4")), "人次": ("人次", Decimal(1)), "万元/人": ("元/人", Decimal("1e4")),
}


GENERIC_COUNTERS = {"项": "个"}  # 350多个重大专项 and 350项 count the same things


COUNT_FAMILIES = frozenset({"家", "件", "人", "个", "项", "种", "人年", "人次"})


MULTIPLIERS = {"万亿": Decimal("1e12"), "亿": Decimal("1e8"), "万": Decimal("1e4"), "千": Decimal("1e3"),
               "trillion": Decimal("1e12"), "billion": Decimal("1e9"), "million": Decimal("1e6"), "thousand": Decimal("1e3")}


UNIT_WORDS = {"元/人": "元/人", "元": "yuan", "yuan": "yuan", "rmb": "yuan", "美元": "usd", "dollars": "usd", "%": "pct", "percent": "pct",
              "个百分点": "pp", "percentage points": "pp", "家": "家", "件": "件", "人年": "人年", "人次": "人次",
              "人": "人", "名": "人", "个": "个", "项": "项", "种": "种"}


PAREN_UNITS = {"亿元": ("yuan", Decimal("1e8")), "万元": ("yuan", Decimal("1e4")), "%": ("pct", Decimal(1)),
               "家": ("家", Decimal(1)), "件": ("件", Decimal(1)), "人": ("人", Decimal(1)), "万人": ("人", Decimal("1e4")),
               "个": ("个", Decimal(1)), "项": ("项", Decimal(1))}


NUMBER = re.compile(
    r"(?P<pre>[¥$]\s?)?(?<![\d.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<approx1>余|多)?\s?(?P<mult>万亿|亿|万|千|trillion|billion|million|thousand)?(?P<approx2>余|多)?\s?"
    r"(?P<unit>个百分点|percentage points|美元|元/人|元|yuan|rmb|dollars|%|percent|人年|人次|家|件|人|名|个|项|种)?"
    r"(?P<post>以上|左右|多)?")


NOT_A_VALUE_AFTER = re.compile(r"^\s?(年|月|日|季度|倍|周年|届|批|位|名次|强|th\b|st\b|nd\b|rd\b|-\d|/\d)")


NOT_A_VALUE_BEFORE = re.compile(r"(第|no\.|top|前|\d-|per|每)\s?$")


YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s?年(?:度|末|底|初)?")


YEAR_EN = re.compile(r"(?<![\d,.])((?:19|20)\d{2})(?![\d%])(?!\s?(?:年|亿|万|家|件|人|个|项|元|yuan|billion|million|percent))")


RELATIVE_YEARS = {"过去一年": -1, "去年": -1, "上年末": -1, "今年": 0, "本年": 0}


PLAN_PERIOD_END = {"十二五": 2015, "十三五": 2020, "十四五": 2025}


MONTH_MARKERS = ((re.compile(r"上半年|first half"), 6), (re.compile(r"前三季度|first three quarters"), 9),
                 (re.compile(r"(?<!前)(?:第)?一季度|first quarter"), 3))


MONTH_RANGE = re.compile(r"1\s?(?:-|—|–|至|~)\s?(\d{1,2})\s?月")


PREFIX_QUALIFIERS = (
    (re.compile(r"(不低于|不少于|至少|at least)\s?$"), ">="),
    (re.compile(r"(超过|超出|突破|逾|多于|高于|超|more than|over|exceeding|exceeded|exceeds|exceed|above)\s?$"), ">"),
    (re.compile(r"(接近|近|约|大约|nearly|almost|about|around|approximately|roughly|close to)\s?$"), "~"),
)


SUFFIX_QUALIFIERS = {"以上": ">=", "左右": "~", "余": ">", "多": ">"}


GROWTH = re.compile(r"增长|增速|增幅|同比|比上年|较上年|上升|下降|提高|提升|增加|减少|回落|growth|increase|grew|rose|up by|up\b|down|decline")


GROWTH_TO = re.compile(r"(增长|增加|提高|提升|上升)(了)?(到|至|为)|(rose|grew|increased|risen|up) to")


FLOW = re.compile(r"新增|新认定|净增|新培育|新引进|新入选|新获批|新建|\bnew\b|\bnewly\b")


STOCK = re.compile(r"累计|总数|总量|总计|共有|拥有|有效|in total|total")


ESTIMATE = re.compile(r"预计|有望|将(?:突破|达|超)|estimated|expected|projected|forecast")


PRELIMINARY = re.compile(r"初步核算|初步测算|初步数|preliminary")


REVISED = re.compile(r"修订|revised")


OWN_REGION = re.compile(r"全市|我市|本市|该市|the city's|the city|our city")


CLAUSE_BREAK = re.compile(r"[,;:，；：]")


SENTENCE_END = re.compile(r"(?<=[。！？!?])|\n|(?<=[a-z)%]\.)\s+(?=[A-Z])")


CJK = r"\u3400-\u9fff"


# Province-level divisions of China: a figure after one of these (not in regions.csv) is another region's.
PROVINCES = ("北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川", "贵州", "云南", "西藏",
             "陕西", "甘肃", "青海", "宁夏", "新疆", "台湾", "香港", "澳门")


# A place named as a publisher ("辽宁省统计局统一核算") is not the place a figure belongs to.
PUBLISHER = re.compile(rf"[{CJK}]{{2,4}}(?:省|市)?(?:统计局|科技局|科技厅|经信局|人民政府|政府|发改委|发展改革委|知识产权局|市场监督管理局|市场监管局|财政局|财政厅)")


STARTING_POINT = re.compile(r"(由|从|from)\s?$")


PER_HEAD_BEFORE = re.compile(r"(人均|平均每|每家|户均|亩均|万元)$")


# A narrower scope written right before a phrase ("企业R&D经费支出", "民营高新技术企业") is another quantity.
SUBSET_BEFORE = re.compile(r"((?<!工业)企业|高校|高等学校|科研机构|研究与开发机构|政府属|基础研究|应用研究|服务业|外资|民营|国有|"
                           r"business|enterprise|university|government)\s?$")


PER_HEAD_AFTER = re.compile(r"\s?(per capita|per head|per person|per \d)")


FALL = re.compile(r"(下降|减少|回落|降低|down|decline|declined|fell|decrease|decreased)[^增长升]{0,3}$")


BLOCK_TAGS = ["p", "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "title",
              "blockquote", "pre", "dd", "dt"]


LIST_SEPARATOR = r"(?:、|,|和|及|与|以及| and |, and )"


TRAIL_GROWTH = re.compile(r"^\s?(increase|growth|rise|higher|up)\b")


# Traditional characters common in statistical text, mapped to simplified (phrases are written in simplified).
TRADITIONAL = str.maketrans("寧國區術業規總數為萬億級專創發選實經濟產達長進與會學擁權費設計劃價額現預並務單點據對於這類個員場門開關當應環際態鄉縣兩動號標準質統報結構體電資營稅驗較幾佔約餘將續紀錄歷強項頭領導車線網絡紹極優勢傳醫藥療衛護廣東灣臺華復後裡裏團隊職稱獎勵們組織廠農貿買賣運輸銀險證檢測認範圍齊備維內輔紐書雜歐亞屬沒還邊遠過種樣讓從來時間問題處說話語讀寫記離難雙鏈氣熱養層壓廢勞榮鄰顯積節圖繼畝億財務審議綜評價揭曉榜億項幣",
                            "宁国区术业规总数为万亿级专创发选实经济产达长进与会学拥权费设计划价额现预并务单点据对于这类个员场门开关当应环际态乡县两动号标准质统报结构体电资营税验较几占约余将续纪录历强项头领导车线网络绍极优势传医药疗卫护广东湾台华复后里里团队职称奖励们组织厂农贸买卖运输银险证检测认范围齐备维内辅纽书杂欧亚属没还边远过种样让从来时间问题处说话语读写记离难双链气热养层压废劳荣邻显积节图继亩亿财务审议综评价揭晓榜亿项币")


# Words of a document's title that the year before them is the year its figures are about.
DOCUMENT_WORDS = re.compile(r"公报|年鉴|报告|统计|国民经济|经济运行|情况|年度|communiqu|bulletin|yearbook|report|statistic", re.IGNORECASE)


# An annual bulletin or yearbook: without a year of its own, its figures are of the year before its publication.
ANNUAL_DOCUMENT = re.compile(r"统计公报|年鉴|statistical communiqu|statistical bulletin|yearbook", re.IGNORECASE)


# A year that is part of a date ("2024年3月20日", "2024-03-20"): when a document appeared, not what it is about.
DATE_AFTER_YEAR = re.compile(r"\s?\d{1,2}\s?月(?:\s?\d{1,2}\s?日)?|[-/.]\d{1,2}[-/.]\d{1,2}")


FULL_DATE_AFTER_YEAR = re.compile(r"\s?\d{1,2}\s?月\s?\d{1,2}\s?日")


STOCK_DATE_BEFORE = re.compile(r"(截至|截止|截止到|到|至)\s?$")


# A line holding only a page number ("- 3 -", "— 3 —", "第3页", "第 3 页 共 12 页", "3/12", "3").
PAGE_NUMBER_LINE = re.compile(r"[-—–\s]*(?:第\s?\d{1,4}\s?页(?:\s?[,，/]?\s?共\s?\d{1,4}\s?页)?|\d{1,4}(?:\s?/\s?\d{1,4})?|page \d{1,4}(?: of \d{1,4})?)[-—–\s]*",
                              re.IGNORECASE)


# Places not in regions.csv that tables and text name beside Ningbo: Zhejiang's other cities, Ningbo's own
# districts and counties (a district's figure is not the city's), and large cities often compared with it.
OTHER_PLACES = ("嘉兴", "湖州", "绍兴", "金华", "衢州", "舟山", "台州", "丽水", "义乌",
                "海曙", "江北区", "镇海", "北仑", "鄞州", "奉化", "余姚", "慈溪", "宁海", "象山", "前湾新区", "东钱湖", "大榭",
                "南京", "广州", "武汉", "成都", "西安", "合肥", "长沙", "郑州", "济南", "福州", "沈阳", "常州", "南通", "佛山",
                "东莞", "珠海", "南昌", "昆明", "长春", "哈尔滨", "石家庄", "太原", "贵阳", "南宁", "兰州", "烟台", "泉州")


# A place-like label between two figures ("…3.01江山市3.12": the row of a table of places): another place
# unless regions.csv names it.
TABLE_PLACE = re.compile(rf"(?<=[\d%)])[{CJK}]{{1,4}}(?:市|区|县|省)(?=\s?[\d(])")


# A line that ends a heading (a document's title): the next line does not continue it.
HEADING_END = re.compile(r"(公报|年鉴|报告|情况|通知|意见|communiqu[eé]|bulletin|report)\s*$", re.IGNORECASE)


# A line holding only a date (a dateline under a title): never joined to the lines around it.
DATE_LINE = re.compile(r"\s*[(（]?\s*(?:\d{4}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})\s*[)）]?\s*")


# The label of a table row that names a place ("江山市 R&D经费投入强度(%) 2.01"): at the start of a line without
# clause punctuation that ends in a figure.
ROW_PLACE = re.compile(rf"^[{CJK}]{{1,4}}(?:市|区|县|省)(?=\S)")


TABLE_ROW = re.compile(r"[^,;:。!?]*[\d%)]\s?")
