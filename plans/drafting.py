"""Candidate milestones drafted from a plan's text (Chinese), for an editor to review.

A pure parser: text in, a list of candidate dicts out, no database. It reads the phrases
plans use for deadlines and counts:

- 到2022年底 / 2025年底前 / 到2025年 / 2025年前 → 31 December of that year;
- 2021年內 → 31 December 2021; 2022年上半年 → 30 June 2022;
- 到2022年6月底 → the last day of that month; 2022年6月30日前 → that day;
- an annual programme's title (《2021年河南省…工作方案》, 《…2021年工作要點》) → every goal
  of its paragraph without its own deadline is due on 31 December of that year;
- 30項工作任務 / 三十項重點任務 → a quantitative target of 30.

"截至2020年11月底" means "as of", not "by", and is never read as a deadline. A sentence
with a deadline phrase gives one candidate per clause after the phrase (Zhejiang's
"到2022年底前, A, B, C" gives three); a sentence without one gives one candidate per goal,
where a goal is a clause with a verb of intent (要, 將, 推進, 建成, …) and the clauses that
continue it (通過…, 不斷…). The editor reviews every candidate before anything is saved.
"""

import calendar
import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

QUALITATIVE = "qualitative"
QUANTITATIVE = "quantitative"

_SENTENCE_END = re.compile(r"[。；;！!？?\n]")
_CLAUSE_SEP = re.compile(r"[，,]")
_TITLE = re.compile(r"《[^《》]*》")
_YEAR_RANGE = re.compile(r"\d{4}\s*[-–—~至到]\s*\d{4}")
_ANNUAL_TITLE_YEAR = re.compile(r"(\d{4})\s*年(?:度)?")

_Y = r"(?P<year>\d{4})\s*年"
_BEFORE = r"(?:前|之前|以前)"
_TO = r"(?:到|至|在|於|于)"
# Most specific first: the first pattern that matches at a position wins.
_DEADLINES: list[tuple[re.Pattern, str]] = [
    (
        re.compile(
            rf"{_TO}?\s*{_Y}\s*(?P<month>\d{{1,2}})\s*月\s*(?P<day>\d{{1,2}})\s*[日号號]\s*{_BEFORE}"
        ),
        "day",
    ),
    (
        re.compile(rf"{_TO}\s*{_Y}\s*(?P<month>\d{{1,2}})\s*月(?:底|末)?\s*{_BEFORE}?"),
        "month",
    ),
    (re.compile(rf"{_TO}?\s*{_Y}\s*(?P<month>\d{{1,2}})\s*月(?:底|末)\s*{_BEFORE}?"), "month"),
    (re.compile(rf"{_TO}?\s*{_Y}\s*上半年\s*{_BEFORE}?"), "half"),
    (re.compile(rf"{_TO}?\s*{_Y}\s*(?:年)?(?:底|末|下半年)\s*{_BEFORE}?"), "year"),
    (re.compile(rf"{_Y}\s*(?:以內|以内|內|内)"), "year"),
    (re.compile(rf"{_TO}\s*{_Y}(?!\s*\d)\s*{_BEFORE}?"), "year"),
    (re.compile(rf"{_Y}\s*{_BEFORE}"), "year"),
]
# "截至/截止 2020年11月底" is an as-of date of a statistic, not a deadline.
_AS_OF_PREFIX = re.compile(r"(?:截至|截止|截止到|截止至)\s*$")

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_COUNT = re.compile(
    r"(?P<number>\d+|[〇零一二兩两三四五六七八九十百千]+)\s*(?P<measure>[項项個个條条大])\s*"
    r"(?P<noun>(?:重點|重点|主要|重大|工作|改革|建設|建设)*"
    r"(?:任務|任务|工程|項目|项目|舉措|举措|措施|事項|事项|行動|行动))"
)
_GOAL = re.compile(
    r"(?<![重主需只必概綱纲])要(?!求)|將|将|力爭|力争|確保|确保|爭取|争取|加快|推進|推进|推動|推动|完善|建成|構建|构建|"
    r"打造|實現|实现|提升|形成|健全|深化|開展|开展|培育|優化|优化|完成"
)
_PAST = re.compile(r"已|了")
_CONTINUATION = re.compile(
    r"^(?:通過|通过|助推|不斷|不断|從而|从而|進而|进而|並且|并且|以便|使|讓|让)"
)
_PREAMBLE = re.compile(r"發布|发布|印發|印发|召開|召开|出臺|出台|《")
_DATE_ONLY = re.compile(r"^\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号號])?)?$")
_LEADING_CONNECTORS = re.compile(
    r"^(?:明確提出要|明确提出要|明確提出|明确提出|提出要|提出了|提出|明確了|明确了|明確|明确|"
    r"同時|同时|還要|还要|要|並|并|其中)+"
)
_SKIP_SENTENCE = re.compile(r"截至|截止|是指")
_STRIP = " \t\u3000,，、:："


@dataclass(frozen=True)
class _Deadline:
    start: int
    end: int
    date: datetime.date
    phrase: str


def chinese_number(text: str) -> int:
    """30 → 30, 三十 → 30, 十二 → 12, 一百零五 → 105."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        else:
            total += (digit or 1) * _CN_UNITS[char]
            digit = 0
    return total + digit


def _mask_titles(text: str) -> str:
    """Titles of documents (《…》) may hold years; blank them out, keeping offsets."""
    return _TITLE.sub(lambda m: "《" + "□" * (len(m.group()) - 2) + "》", text)


def _resolve(match: re.Match, kind: str) -> datetime.date | None:
    year = int(match.group("year"))
    try:
        if kind == "day":
            return datetime.date(year, int(match.group("month")), int(match.group("day")))
        if kind == "month":
            month = int(match.group("month"))
            return datetime.date(year, month, calendar.monthrange(year, month)[1])
        if kind == "half":
            return datetime.date(year, 6, 30)
        return datetime.date(year, 12, 31)
    except ValueError:  # 2022年13月 is no date
        return None


def find_deadlines(text: str) -> list[_Deadline]:
    """Deadline phrases in `text`, in order, not overlapping."""
    masked = _mask_titles(text)
    found: list[_Deadline] = []
    position = 0
    while position < len(masked):
        best = None
        for pattern, kind in _DEADLINES:
            match = pattern.search(masked, position)
            if match and (best is None or match.start() < best[0].start()):
                best = (match, kind)
        if best is None:
            break
        match, kind = best
        position = match.end()
        if _AS_OF_PREFIX.search(masked[: match.start("year")]):
            continue
        date = _resolve(match, kind)
        if date is not None:
            found.append(
                _Deadline(match.start(), match.end(), date, text[match.start() : match.end()])
            )
    return found


def annual_year(paragraph: str) -> int | None:
    """The year of an annual programme whose title the paragraph cites, if any."""
    for title in _TITLE.findall(paragraph):
        if _YEAR_RANGE.search(title):
            continue
        years = {int(y) for y in _ANNUAL_TITLE_YEAR.findall(title)}
        if len(years) == 1:
            return years.pop()
    return None


def _clean(statement: str) -> str:
    statement = statement.strip(_STRIP)
    statement = _LEADING_CONNECTORS.sub("", statement)
    return statement.strip(_STRIP)


def _candidate(statement, deadline, phrase, *, kind=QUALITATIVE, target=None, unit=""):
    return {
        "statement": statement,
        "deadline": deadline,
        "deadline_phrase": phrase,
        "kind": kind,
        "baseline_value": Decimal(0) if kind == QUANTITATIVE else None,
        "target_value": target,
        "unit": unit,
    }


def _count_candidate(clause: str, deadline, phrase) -> dict | None:
    match = _COUNT.search(clause)
    if not match:
        return None
    target = Decimal(chinese_number(match.group("number")))
    unit = match.group("measure") + match.group("noun")
    return _candidate(_clean(clause), deadline, phrase, kind=QUANTITATIVE, target=target, unit=unit)


def _split_clauses(text: str) -> list[str]:
    """Comma-separated clauses, not splitting inside a document title."""
    masked = _mask_titles(text)
    clauses, start = [], 0
    for match in _CLAUSE_SEP.finditer(masked):
        clauses.append(text[start : match.start()])
        start = match.end()
    clauses.append(text[start:])
    return [c for c in clauses if c.strip(_STRIP)]


def _from_deadline_sentence(sentence: str, deadlines: list[_Deadline]) -> list[dict]:
    candidates = []
    for index, deadline in enumerate(deadlines):
        end = deadlines[index + 1].start if index + 1 < len(deadlines) else len(sentence)
        body = sentence[deadline.end : end]
        clauses = _split_clauses(body)
        if not clauses or len(_clean(clauses[0])) < 4:
            # "…工作於2022年底前完成": the goal is the clause around the phrase.
            clause_start = max(sentence.rfind(sep, 0, deadline.start) for sep in ",，") + 1
            clauses = [sentence[clause_start:end]]
        for clause in clauses:
            candidate = _count_candidate(clause, deadline.date, deadline.phrase)
            candidates.append(
                candidate or _candidate(_clean(clause), deadline.date, deadline.phrase)
            )
    return candidates


def _from_plain_sentence(sentence: str, deadline, phrase) -> list[dict]:
    candidates: list[dict] = []
    goal: list[str] | None = None
    for clause in _split_clauses(sentence):
        text = clause.strip(_STRIP)
        if _DATE_ONLY.match(text) or (_PREAMBLE.search(text) and not _COUNT.search(text)):
            # A date or "X發布《…》": the publication, not a promise.
            goal = None
            continue
        count = _count_candidate(text, deadline, phrase)
        if count:
            candidates.append(count)
            goal = None
            continue
        if goal is not None and _CONTINUATION.match(_clean(text)):
            goal.append(text)
            continue
        if _GOAL.search(text) and not _PAST.search(text):
            goal = [text]
            candidates.append({"_parts": goal, "deadline": deadline, "phrase": phrase})
            continue
        goal = None
    return [
        _candidate(_clean(",".join(c["_parts"])), c["deadline"], c["phrase"])
        if "_parts" in c
        else c
        for c in candidates
    ]


def draft_milestones(text: str, *, default_deadline: datetime.date | None = None) -> list[dict]:
    """Candidate milestones read from `text`.

    Each candidate is a dict: statement, deadline (a date, or None when the text gives
    none and no default applies), deadline_phrase (the words it was read from), kind
    (qualitative or quantitative), baseline_value and target_value (Decimals for
    quantitative targets), unit. `default_deadline` applies to goals without a deadline
    of their own (the view passes 31 December of an annual plan's year).
    """
    candidates: list[dict] = []
    for paragraph in text.splitlines():
        year = annual_year(paragraph)
        if year is not None:
            fallback, fallback_phrase = datetime.date(year, 12, 31), f"{year}年"
        else:
            fallback, fallback_phrase = default_deadline, ""
        masked = _mask_titles(paragraph)
        start = 0
        for end_match in [*_SENTENCE_END.finditer(masked), None]:
            end = end_match.start() if end_match else len(paragraph)
            sentence = paragraph[start:end]
            question = bool(end_match) and end_match.group() in "？?"
            start = end + 1
            if not sentence.strip(_STRIP) or question or _SKIP_SENTENCE.search(sentence):
                continue
            deadlines = find_deadlines(sentence)
            if deadlines:
                candidates += _from_deadline_sentence(sentence, deadlines)
            else:
                candidates += _from_plain_sentence(sentence, fallback, fallback_phrase)
    return [c for c in candidates if c["statement"]]
