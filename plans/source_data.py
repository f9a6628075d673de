"""The facts of the source document (shared/seeds/FACTS.md), as data.

Everything here is read from one report excerpt, `plans/data/source-report-excerpt.txt`;
English titles are our translations. Nothing in the source says whether any target was
met, so no progress update is loaded: until an editor records one with a source, these
milestones honestly show that nothing has been reported.
"""

import datetime

D = datetime.date

REPORT = {
    "title": "2021-2026年中國數字政府建設行業市場發展現狀調研及投資前景預測研究報告(節選)",
    "title_en": (
        "Report on the Development of China's Digital-Government Construction Market, "
        "2021-2026 (excerpt)"
    ),
    "publisher": "中研普華產業研究院",
    "citation": (
        "中研普華產業研究院,《2021-2026年中國數字政府建設行業市場發展現狀調研及投資前景預測"
        "研究報告》,2021年,節選。The excerpt ships with govtracker as "
        "plans/data/source-report-excerpt.txt."
    ),
}

DEFINITION = (
    "數字政府是指以現代互聯網、物聯網、大數據、人工智能、區塊鏈等技術為支撐,充分契合政府發展的"
    "客觀規律與政府建設創新的主觀能動性的一種多元化協同、多維度互動、多空間泛在的新時代高效行政服務模式。"
)

PLANS = [
    {
        "slug": "anhui-digital-government-2020-2025",
        "jurisdiction": "340000",
        "title": "安徽省「數字政府」建設規劃(2020-2025年)",
        "title_en": "Anhui Province “Digital Government” Construction Plan (2020-2025)",
        "issuing_body": "安徽省人民政府",
        "issuing_body_en": "Anhui Provincial People's Government",
        "kind": "plan",
        "issued_on": D(2020, 10, 24),
        "start_year": 2020,
        "end_year": 2025,
        "summary": "到2022年底建成「線上政府」,到2025年底建成「智慧政府」。",
        "summary_en": "An “online government” by end-2022 and a “smart government” by end-2025.",
        "milestones": [
            {
                "statement": (
                    "到2022年底,建成政府對外服務一體化、內部協同一體化、線上線下一體化的「線上政府」。"
                ),
                "statement_en": (
                    "By end-2022, build an “online government” with integrated external "
                    "services, integrated internal coordination and integrated online-offline "
                    "service."
                ),
                "deadline": D(2022, 12, 31),
            },
            {
                "statement": "到2025年底,建成智能化治理、智慧化服務的「智慧政府」。",
                "statement_en": (
                    "By end-2025, build a “smart government” with intelligent governance and "
                    "smart services."
                ),
                "deadline": D(2025, 12, 31),
            },
        ],
    },
    {
        "slug": "zhejiang-digital-reform-2021",
        "jurisdiction": "330000",
        "title": "浙江省數字化改革總體方案",
        "title_en": "Zhejiang Province Overall Programme for Digital Reform",
        "issuing_body": "浙江省(全省數字化改革大會發布)",
        "issuing_body_en": "Zhejiang Province (released at the province-wide digital-reform conference)",
        "kind": "programme",
        "issued_on": D(2021, 2, 18),
        "start_year": 2021,
        "end_year": 2022,
        "summary": (
            "全面啟動浙江數字化改革,其中包括浙江省數字政府系統建設方案,提出到2022年底前的目標。"
        ),
        "summary_en": (
            "Launches Zhejiang's digital reform, including the province's digital-government "
            "system construction plan, with goals for end-2022."
        ),
        "milestones": [
            {
                "statement": (
                    "到2022年底前,以年度工作目標為核心的各項業務實現跨業務、跨層級、跨部門高效協同。"
                ),
                "statement_en": (
                    "By end-2022, business centred on the annual work objectives achieves "
                    "efficient cross-business, cross-level and cross-department collaboration."
                ),
                "deadline": D(2022, 12, 31),
            },
            {
                "statement": "到2022年底前,數字政府綜合應用更加成熟定型。",
                "statement_en": (
                    "By end-2022, the comprehensive digital-government applications become "
                    "more mature and settled."
                ),
                "deadline": D(2022, 12, 31),
            },
            {
                "statement": "到2022年底前,形成一批標志性應用場景。",
                "statement_en": "By end-2022, a batch of landmark application scenarios is formed.",
                "deadline": D(2022, 12, 31),
            },
        ],
    },
    {
        "slug": "henan-digital-economy-2021",
        "jurisdiction": "410000",
        "title": "2021年河南省數字經濟發展工作方案",
        "title_en": "2021 Henan Province Digital Economy Development Work Programme",
        "issuing_body": "河南省發展和改革委員會",
        "issuing_body_en": "Henan Development and Reform Commission",
        "kind": "programme",
        "issued_on": D(2021, 3, 15),
        "start_year": 2021,
        "end_year": 2021,
        "summary": "明確提出要加快數字政府建設。",
        "summary_en": "Calls for faster digital-government construction.",
        "milestones": [
            {
                "statement": "完善政務服務、數據管理、業務監管、安全運維和技術應用等標準規范。",
                "statement_en": (
                    "Improve the standards for government services, data management, business "
                    "supervision, security operations and technology application."
                ),
                "deadline": D(2021, 12, 31),
            },
            {
                "statement": "推進一體化政務服務平臺、互聯網+監管平臺、金融服務共享平臺迭代升級。",
                "statement_en": (
                    "Iterate and upgrade the integrated government-service platform, the "
                    "“Internet + supervision” platform and the financial-service sharing "
                    "platform."
                ),
                "deadline": D(2021, 12, 31),
            },
            {
                "statement": "加快實現省級政務云與地市政務云互聯互通及業務協同。",
                "statement_en": (
                    "Speed up the interconnection and business coordination of the provincial "
                    "government cloud with the municipal government clouds."
                ),
                "deadline": D(2021, 12, 31),
            },
        ],
    },
    {
        "slug": "guangdong-digital-government-2021",
        "jurisdiction": "440000",
        "title": "廣東省數字政府改革建設2021年工作要點",
        "title_en": "Guangdong Province 2021 Work Points for Digital-Government Reform",
        "issuing_body": "廣東省人民政府辦公廳",
        "issuing_body_en": "General Office of the Guangdong Provincial People's Government",
        "kind": "work_points",
        "issued_on": D(2021, 3, 25),
        "start_year": 2021,
        "end_year": 2021,
        "summary": "明確了30項工作任務。",
        "summary_en": "Sets out 30 work tasks.",
        "milestones": [
            {
                "statement": "完成30項工作任務。",
                "statement_en": "Complete the 30 work tasks.",
                "deadline": D(2021, 12, 31),
                "kind": "quantitative",
                "baseline_value": 0,
                "target_value": 30,
                "unit": "項",
            },
            {
                "statement": (
                    "全力打造「泛在普惠」的政務服務體系,通過政務服務流程系統性重塑,助推民生服務和"
                    "涉企服務實現普惠化、均等化。"
                ),
                "statement_en": (
                    "Build a “ubiquitous and inclusive” government-service system by "
                    "systematically reshaping service processes, making services for citizens "
                    "and enterprises inclusive and equal."
                ),
                "deadline": D(2021, 12, 31),
            },
            {
                "statement": "初步構建以粵治慧為核心平臺的省、市、縣(市、區)聯動的「一網統管」工作體系。",
                "statement_en": (
                    "Initially build the province-city-county “unified management on one "
                    "network” working system, with Yuezhihui (粵治慧) as its core platform."
                ),
                "deadline": D(2021, 12, 31),
            },
        ],
    },
]

_PROVINCIAL = (
    "全國32個省級單位(31個省、自治區、直轄市及新疆生產建設兵團)",
    "the 32 provincial-level units",
)
_KEY_CITIES = ("全國32個重點城市(27個省會城市及5個計劃單列市)", "the 32 key cities")

INDICATORS = [
    {
        "slug": "provincial-platforms-three-levels",
        "name": "構建覆蓋省、市、縣三級以上政務服務平臺的省級政府",
        "name_en": (
            "Provincial governments with a government-service platform covering at least "
            "province, city and county"
        ),
        "unit": "count",
        "scope": "省級政府",
        "scope_en": "provincial governments",
        "observation": {"as_of": D(2019, 12, 31), "value": 31},
    },
    {
        "slug": "platforms-five-levels",
        "name": "實現省、市、縣、鄉、村服務全覆蓋的地區",
        "name_en": (
            "Regions whose platform covers province, city, county, township and village, "
            "built to the standardised, intensive requirements"
        ),
        "unit": "count",
        "scope": "地區",
        "scope_en": "regions",
        "observation": {"as_of": D(2019, 12, 31), "value": 21},
    },
    {
        "slug": "one-thing-service-zones",
        "name": "省級政務服務平臺開通「一件事」集成服務專區的地區",
        "name_en": 'Regions whose provincial platform opened a "one thing" integrated service zone',
        "unit": "count",
        "scope": "地區",
        "scope_en": "regions",
        "observation": {"as_of": D(2019, 12, 31), "value": 29},
    },
    {
        "slug": "provincial-data-agencies",
        "name": "明確政務數據統籌管理機構的省級政府",
        "name_en": "Provincial-level governments that designated a government-data coordination agency",
        "unit": "percent",
        "scope": _PROVINCIAL[0],
        "scope_en": _PROVINCIAL[1],
        "denominator": 32,
        "observation": {"as_of": D(2020, 11, 30), "numerator": 23, "denominator": 32},
    },
    {
        "slug": "key-city-data-agencies",
        "name": "明確政務數據統籌管理機構的重點城市",
        "name_en": "Key cities that designated a government-data coordination agency",
        "unit": "percent",
        "scope": _KEY_CITIES[0],
        "scope_en": _KEY_CITIES[1],
        "denominator": 32,
        "observation": {"as_of": D(2020, 11, 30), "numerator": 31, "denominator": 32},
    },
    {
        "slug": "provincial-digital-government-plans",
        "name": "已出臺并公開數字政府建設相關規劃計劃、方案意見的省級政府",
        "name_en": (
            "Provincial-level governments that issued and published digital-government plans, "
            "programmes or opinions"
        ),
        "unit": "percent",
        "scope": _PROVINCIAL[0],
        "scope_en": _PROVINCIAL[1],
        "denominator": 32,
        "observation": {"as_of": D(2020, 11, 30), "numerator": 16, "denominator": 32},
    },
    {
        "slug": "key-city-digital-government-plans",
        "name": "已出臺并公開數字政府建設相關規劃計劃、方案意見的重點城市",
        "name_en": (
            "Key cities that issued and published digital-government plans, programmes or opinions"
        ),
        "unit": "percent",
        "scope": _KEY_CITIES[0],
        "scope_en": _KEY_CITIES[1],
        "denominator": 32,
        "observation": {"as_of": D(2020, 11, 30), "numerator": 10, "denominator": 32},
    },
]
