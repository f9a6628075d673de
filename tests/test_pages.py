"""The public pages: each one opens in the three languages and shows what it promises."""

import datetime
import re
from decimal import Decimal

import pytest

from tests.factories import (
    make_indicator,
    make_jurisdiction,
    make_milestone,
    make_observation,
    make_plan,
    make_source,
    make_target,
    make_tracked_plan,
    make_update,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["zh-hant", "zh-hans", "en"]


@pytest.fixture
def tracked(frozen_today):
    province = make_jurisdiction(
        code="340000", name_zh_hant="虛構省", name_zh_hans="虚构省", name_en="Fictional Province"
    )
    city = make_jurisdiction(
        level="key_city",
        parent=province,
        name_zh_hant="虛構市",
        name_zh_hans="虚构市",
        name_en="Fictional City",
    )
    plan = make_tracked_plan(jurisdiction=province, slug="fictional-plan")
    city_plan = make_plan(
        jurisdiction=city,
        slug="fictional-city-plan",
        title="虛構市方案",
        title_en="",
        kind="programme",
    )
    return {"province": province, "city": city, "plan": plan, "city_plan": city_plan}


def section(html: str, heading_id: str) -> str:
    """The part of a page from a heading to the end of its section."""
    return html.split(f'id="{heading_id}"')[1].split("</section>")[0]


def page_paths(tracked):
    indicator = make_indicator(slug="fictional-indicator", name="虛構指標")
    make_observation(indicator=indicator)
    return [
        "/",
        "/plans/",
        "/plans/fictional-plan/",
        "/plans/fictional-plan/updates/",
        f"/jurisdictions/{tracked['province'].code}/",
        "/deadlines/",
        "/deadlines/2022/",
        "/indicators/",
        "/indicators/fictional-indicator/",
        "/about/",
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_opens_in_each_language(client, tracked, language):
    for path in page_paths(tracked):
        response = client.get(f"/{language}{path}")
        assert response.status_code == 200, path
        html = response.content.decode()
        expected = {"zh-hant": 'lang="zh-Hant"', "zh-hans": 'lang="zh-Hans"', "en": 'lang="en"'}
        assert expected[language] in html, path


def test_home_shows_scorecard_deadlines_updates_and_map(client, tracked):
    html = client.get("/en/").content.decode()
    # The national scorecard counts the fictional plan's four milestones by status.
    assert "1</strong> of 3 milestones due were delivered (33%)" in html
    # Deadlines coming (2024) and just passed (2022).
    upcoming = html.split('id="upcoming-title"')[1].split("</section>")[0]
    assert "建成虛構智慧政府" in upcoming
    passed = html.split('id="passed-title"')[1].split("</section>")[0]
    assert "完成虛構平臺升級" in passed and "建成虛構智慧政府" not in passed
    # The latest updates, with their sources.
    updates = html.split('id="updates-title"')[1].split("</section>")[0]
    assert "Fictional Digital Government Plan" in updates
    assert "虛構來源" in updates


def test_home_map_colours_a_province_by_its_share_delivered(client, tracked):
    html = client.get("/en/").content.decode()
    svg = html.split("<svg")[1].split("</svg>")[0]
    # Only the fictional province (code 340000) has a tile among the 32 layout codes here.
    assert svg.count('<g class="tile') == 1
    assert '<g class="tile band-2">' in svg  # 1 of 3 due delivered: 33%
    assert "<title>Fictional Province: 1 of 3 due delivered (33%)</title>" in svg
    # The text alternative gives the same figures.
    table = html.split('class="map-table"')[1].split("</details>")[0]
    assert re.search(
        r"Fictional Province</a></th><td class=\"num\">3</td>"
        r"<td class=\"num\">1</td><td class=\"num\">33%</td>",
        table,
    )


def test_home_map_counts_key_city_plans_in_their_province(client, tracked):
    make_tracked_plan(jurisdiction=tracked["city"])
    html = client.get("/en/").content.decode()
    assert "Fictional Province: 2 of 6 due delivered (33%)" in html


def test_plan_page_shows_milestones_progress_expected_status_and_inputs(client, tracked):
    html = client.get("/en/plans/fictional-plan/").content.decode()
    assert "Fictional Digital Government Plan" in html
    milestones = section(html, "milestones-title")
    for status in ["achieved", "missed", "overdue_unreported", "no_report"]:
        assert milestones.count(f'badge status-{status}"') == 1
    # The missed milestone: 50% reported, 100% expected (its deadline has passed).
    missed = html.split("完成虛構平臺升級")[1].split("</li>")[0]
    assert 'class="progress-fill pw-50"' in missed
    assert 'class="progress-expected pe-100"' in missed
    # The inputs behind the status, in the tracker's words.
    assert (
        "started 2021-01-01, due 2022-12-31, 100% of the time gone, "
        "50% reported on 2022-06-30 → missed"
    ) in missed
    # The unreported one shows no bar filling, never 0% progress.
    unreported = html.split("虛構目標無報告")[1].split("</li>")[0]
    assert "progress-fill" not in unreported
    assert "No progress reported" in unreported
    # The timeline of updates, each with its source.
    timeline = html.split('id="timeline-title"')[1].split("</section>")[0]
    assert timeline.count('<li id="update-') == 2
    assert "虛構進展說明" in timeline and "虛構來源" in timeline


def test_plan_page_as_of_a_past_date_shows_the_plan_as_it_stood(client, tracked):
    html = client.get("/en/plans/fictional-plan/?as_of=2022-05-31").content.decode()
    assert "As it stood on 2022-05-31" in html
    # The updates dated 2022-06-30 did not exist yet: nothing reported, nothing overdue.
    milestones = section(html, "milestones-title")
    assert milestones.count('badge status-no_report"') == 4
    assert '<li id="update-' not in html


def test_plan_page_nests_sub_milestones_under_their_parent(client, tracked):
    plan = tracked["plan"]
    parent = plan.milestones.get(position=1)
    make_milestone(plan=plan, parent=parent, statement="虛構子目標", position=9)
    html = client.get("/en/plans/fictional-plan/").content.decode()
    parent_block = html.split("建成虛構線上政府")[1]
    assert 'class="milestones sub-milestones"' in parent_block.split("完成虛構平臺升級")[0]
    assert "虛構子目標" in parent_block.split("完成虛構平臺升級")[0]


def test_unknown_plan_is_404(client, tracked):
    assert client.get("/en/plans/no-such-plan/").status_code == 404


def add_updates(plan, count: int, *, first=datetime.date(2021, 1, 1)):
    """`count` published updates on the plan's unreported milestone, one a day from `first`
    (all older than the fictional plan's own two, dated 2022-06-30)."""
    milestone = plan.milestones.get(position=3)
    return [
        make_update(milestone=milestone, as_of=first + datetime.timedelta(days=n))
        for n in range(count)
    ]


def timeline_items(html: str, heading_id: str = "timeline-title") -> int:
    return section(html, heading_id).count('<li id="update-')


def test_plan_updates_page_lists_every_published_update_with_its_source(client, tracked):
    plan = tracked["plan"]
    milestone = plan.milestones.get(position=3)
    make_update(milestone=milestone, narrative="虛構草稿", published_on=None)
    make_update(milestone=milestone, narrative="虛構排程", published_on=datetime.date(2023, 7, 31))
    other = make_tracked_plan(jurisdiction=tracked["city"], slug="fictional-other-plan")
    make_update(milestone=other.milestones.get(position=3), narrative="虛構他規劃")

    response = client.get("/en/plans/fictional-plan/updates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Updates on Fictional Digital Government Plan 0</h1>" in html
    assert response.context["paginator"].count == 2
    assert "2 updates" in html
    updates = section(html, "updates-title")
    assert updates.count('<li id="update-') == 2
    assert "虛構進展說明" in updates
    for update in response.context["updates"]:
        assert update.source_list[0].title in updates
    assert "虛構草稿" not in html and "虛構排程" not in html and "虛構他規劃" not in html
    # The way back to the plan, and the plan's feed.
    breadcrumb = html.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert 'href="/en/plans/fictional-plan/">Fictional Digital Government Plan 0</a>' in breadcrumb
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="/en/feeds/plans/fictional-plan/"' in html


def test_plan_updates_page_in_chinese_counts_and_names_the_plan(client, tracked):
    html = client.get("/zh-hant/plans/fictional-plan/updates/").content.decode()
    assert "<h1>虛構數字政府規劃0的進展</h1>" in html
    assert "2條進展" in html
    html = client.get("/zh-hans/plans/fictional-plan/updates/").content.decode()
    assert "2条进展" in html


def test_plan_updates_page_paginates_fifty_to_a_page(client, tracked):
    added = add_updates(tracked["plan"], 51)  # 53 updates with the plan's own two
    first = client.get("/en/plans/fictional-plan/updates/")
    assert first.context["paginator"].num_pages == 2
    assert timeline_items(first.content.decode(), "updates-title") == 50
    assert "53 updates" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/en/plans/fictional-plan/updates/?page=2")
    html = second.content.decode()
    # Newest first: the page ends with the three oldest.
    assert [u.pk for u in second.context["updates"]] == [u.pk for u in reversed(added[:3])]
    assert timeline_items(html, "updates-title") == 3
    assert 'rel="prev" href="?page=1"' in html
    assert client.get("/en/plans/fictional-plan/updates/?page=3").status_code == 404
    assert client.get("/en/plans/fictional-plan/updates/?page=abc").status_code == 404


def test_plan_updates_page_as_of_a_past_date_lists_what_was_reported_by_then(client, tracked):
    add_updates(tracked["plan"], 3, first=datetime.date(2022, 5, 1))
    response = client.get("/en/plans/fictional-plan/updates/?as_of=2022-05-31")
    html = response.content.decode()
    assert [u.as_of for u in response.context["updates"]] == [
        datetime.date(2022, 5, 3),
        datetime.date(2022, 5, 2),
        datetime.date(2022, 5, 1),
    ]
    assert "Only updates dated on or before 2022-05-31 are listed." in html
    assert "虛構進展說明" not in html  # dated 2022-06-30
    # The way back keeps the date.
    assert 'href="/en/plans/fictional-plan/?as_of=2022-05-31"' in html


def test_plan_updates_page_of_an_unknown_plan_is_404(client, tracked):
    assert client.get("/en/plans/no-such-plan/updates/").status_code == 404


def test_plan_updates_page_answers_a_bad_date_with_a_400_in_the_visitors_language(client, tracked):
    response = client.get("/en/plans/fictional-plan/updates/?as_of=not-a-date")
    assert response.status_code == 400
    assert "“as_of” must be a date written YYYY-MM-DD" in response.content.decode()
    response = client.get("/zh-hant/plans/fictional-plan/updates/?as_of=1900-01-01")
    assert response.status_code == 400
    assert 'lang="zh-Hant"' in response.content.decode()


def test_plan_updates_page_queries_do_not_grow_with_the_updates(
    client, tracked, django_assert_num_queries
):
    path = "/en/plans/fictional-plan/updates/"
    client.get(path)  # warm per-process caches
    with django_assert_num_queries(4):
        client.get(path)
    add_updates(tracked["plan"], 60)
    with django_assert_num_queries(4):
        client.get(path)
    with django_assert_num_queries(4):
        client.get(f"{path}?page=2")


def test_plan_page_shows_the_latest_twenty_updates_and_links_to_all(client, tracked):
    add_updates(tracked["plan"], 21)  # 23 with the plan's own two, dated 2022-06-30
    html = client.get("/en/plans/fictional-plan/").content.decode()
    assert timeline_items(html) == 20
    assert 'href="/en/plans/fictional-plan/updates/">All updates of this plan</a>' in html
    log = html.split('id="update-log-title"')[1].split("</section>")[0]
    assert log.count("<li>") == 20
    # As of another date (21 updates dated by then), the link keeps the date.
    html = client.get("/en/plans/fictional-plan/?as_of=2022-05-31").content.decode()
    assert timeline_items(html) == 20
    assert 'href="/en/plans/fictional-plan/updates/?as_of=2022-05-31"' in html
    # Ten dated by 2021-01-10: all shown, no link.
    html = client.get("/en/plans/fictional-plan/?as_of=2021-01-10").content.decode()
    assert timeline_items(html) == 10
    assert "All updates of this plan" not in html


def test_plan_page_links_to_all_updates_only_when_some_are_left_out(client, tracked):
    add_updates(tracked["plan"], 18)  # exactly 20
    html = client.get("/en/plans/fictional-plan/").content.decode()
    assert timeline_items(html) == 20
    assert "All updates of this plan" not in html
    assert "/plans/fictional-plan/updates/" not in html


def test_jurisdiction_page_shows_its_plans_scorecard_and_key_cities(client, tracked):
    html = client.get("/en/jurisdictions/340000/").content.decode()
    assert "<h1>Fictional Province</h1>" in html
    assert "Fictional Digital Government Plan" in html
    assert "虛構市方案" in html  # the key city's plan is the province's too
    assert "Key cities" in html and "Fictional City" in html
    assert "1</strong> of 3 milestones due were delivered" in html


def test_unknown_jurisdiction_is_404(client, tracked):
    assert client.get("/en/jurisdictions/000000/").status_code == 404


def test_deadline_year_page_lists_what_was_due_with_statuses(client, tracked):
    html = client.get("/en/deadlines/2022/").content.decode()
    assert "Due in 2022" in html
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    assert table.count("badge status-") == 3
    assert "建成虛構線上政府" in table and "建成虛構智慧政府" not in table
    assert "1</strong> of 3 milestones due were delivered" in html


def test_deadline_year_page_filters_by_status(client, tracked):
    html = client.get("/en/deadlines/2022/?status=missed").content.decode()
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "完成虛構平臺升級" in table
    assert "建成虛構線上政府" not in table


def test_deadline_index_lists_years_with_counts(client, tracked):
    html = client.get("/en/deadlines/").content.decode()
    assert 'href="/en/deadlines/2022/"' in html and 'href="/en/deadlines/2024/"' in html
    assert "3 milestones" in html


def test_indicator_pages_show_chart_targets_and_sourced_values(client, frozen_today):
    national = make_jurisdiction(level="national", code="CN", name_en="Fictional Nation")
    indicator = make_indicator(slug="fictional-share", name="虛構比例", name_en="Fictional share")
    make_observation(
        indicator=indicator,
        jurisdiction=national,
        value=Decimal("50.0"),
        numerator=16,
        denominator=32,
        as_of=datetime.date(2020, 11, 30),
    )
    make_observation(
        indicator=indicator,
        jurisdiction=national,
        value=Decimal("71.9"),
        numerator=23,
        denominator=32,
        as_of=datetime.date(2021, 11, 30),
    )
    make_target(
        indicator=indicator, jurisdiction=national, value=90, due_on=datetime.date(2025, 12, 31)
    )
    indicator.sources.add(
        make_source(title="虛構指標來源2", title_en="Fictional indicator source B"),
        make_source(title="虛構指標來源1", title_en="Fictional indicator source A"),
    )
    listing = client.get("/en/indicators/").content.decode()
    assert "Fictional share" in listing
    assert "71.9%" in listing and "(23/32)" in listing  # the latest value
    html = client.get("/en/indicators/fictional-share/").content.decode()
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert svg.count('class="series-point"') == 2
    assert svg.count('class="target-point"') == 1
    assert "<title>2021-11-30: 71.9%</title>" in svg
    assert "Target 2025-12-31: 90%</title>" in svg
    # The indicator's own sources, in the sources' order (title, then id).
    about = html.split("<svg")[0]
    assert (
        0
        < about.index("Fictional indicator source A")
        < about.index("Fictional indicator source B")
    )
    table = html.split('id="values-title"')[1]
    assert "50%" in table and "(16/32)" in table and "虛構來源" in table


def test_the_indicator_lists_latest_value_is_the_national_one(client):
    national = make_jurisdiction(level="national", code="CN")
    indicator = make_indicator(slug="fictional-share")
    make_observation(
        indicator=indicator,
        jurisdiction=national,
        value=Decimal("71.9"),
        as_of=datetime.date(2021, 11, 30),
    )
    # A province reported later: not the national indicator's latest value.
    make_observation(
        indicator=indicator,
        jurisdiction=make_jurisdiction(parent=national),
        value=Decimal("5"),
        as_of=datetime.date(2022, 6, 30),
    )
    listing = client.get("/en/indicators/").content.decode()
    assert "71.9%" in listing and "2021-11-30" in listing
    assert "2022-06-30" not in listing
    response = client.get("/en/indicators/", {"format": "csv"})
    rows = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert rows[1].startswith("fictional-share,")
    assert rows[1].endswith(",2021-11-30,71.9")


def test_about_page_gives_the_definition_and_its_source(client):
    html = client.get("/zh-hant/about/").content.decode()
    assert "數字政府是指以現代互聯網" in html
    assert "中研普華產業研究院" in html


def test_simplified_pages_show_content_converted_by_opencc(client, tracked):
    html = client.get("/zh-hans/plans/fictional-plan/").content.decode()
    assert "虚构数字政府规划" in html  # 虛構數字政府規劃, converted
    assert "虛構數字政府規劃" not in html
    assert "虚构省" in html
    about = client.get("/zh-hans/about/").content.decode()
    assert "数字政府是指以现代互联网" in about


def test_english_pages_show_english_titles_and_fall_back_to_the_original(client, tracked):
    html = client.get("/en/plans/").content.decode()
    assert "Fictional Digital Government Plan" in html
    assert "虛構市方案" in html  # no English title entered: the original is shown


def test_pages_link_their_language_versions_with_hreflang(client, tracked):
    html = client.get("/en/plans/fictional-plan/?as_of=2022-05-31").content.decode()
    for hreflang, prefix in [("zh-Hant", "zh-hant"), ("zh-Hans", "zh-hans"), ("en", "en")]:
        assert (
            f'<link rel="alternate" hreflang="{hreflang}" '
            f'href="http://testserver/{prefix}/plans/fictional-plan/?as_of=2022-05-31">'
        ) in html
    assert 'hreflang="x-default" href="http://testserver/zh-hant/plans/fictional-plan/' in html
    # The switcher is made of plain links: it works without JavaScript.
    switcher = html.split('class="language-switcher"')[1].split("</nav>")[0]
    assert 'href="/zh-hans/plans/fictional-plan/?as_of=2022-05-31"' in switcher
    assert 'aria-current="true">English</a>' in switcher


def test_pages_load_nothing_from_another_host(client, tracked):
    for path in page_paths(tracked):
        html = client.get(f"/en{path}").content.decode()
        for tag in re.findall(r"<(?:link|script|img)[^>]*>", html):
            if 'rel="alternate"' in tag:
                continue
            assert "://" not in tag, (path, tag)
        assert "<script" not in html  # pages work without JavaScript


def test_plan_page_has_a_print_style(client, tracked):
    from django.contrib.staticfiles import finders

    css = open(finders.find("css/site.css"), encoding="utf-8").read()
    assert "@media print" in css
    html = client.get("/en/plans/fictional-plan/").content.decode()
    assert 'class="as-of-form"' in html  # hidden on paper by the print style


def test_deadline_year_as_of_the_deadline_shows_what_was_known_then(client, tracked):
    html = client.get("/en/deadlines/2022/?as_of=2022-12-31").content.decode()
    table = html.split("<tbody>")[1].split("</tbody>")[0]
    # On the deadline day nothing is overdue yet: 50% of the way is behind, not missed.
    assert table.count('badge status-achieved"') == 1
    assert table.count('badge status-behind"') == 1
    assert table.count('badge status-no_report"') == 1
    assert 'name="as_of" value="2022-12-31"' in html
    # The status links of the scorecard keep the date.
    assert "?as_of=2022-12-31&amp;status=missed" in html


def test_jurisdiction_page_as_of_a_past_date(client, tracked):
    html = client.get("/en/jurisdictions/340000/?as_of=2022-05-31").content.decode()
    assert "No milestone has fallen due yet." in html


def test_dated_pages_keep_their_date_in_links_to_other_dated_pages(client, tracked):
    """A page as of another day links to the plans, jurisdictions and years as of that day,
    and its filters apply to it; today's pages link to today's plain addresses."""
    make_milestone(plan=tracked["city_plan"])
    dated = "?as_of=2022-07-01"
    year = client.get(f"/en/deadlines/2022/{dated}").content.decode()
    assert f'href="/en/deadlines/2024/{dated}"' in year
    assert f'href="/en/plans/fictional-plan/{dated}#milestone-' in year
    assert f'href="/en/jurisdictions/340000/{dated}"' in year
    plans = client.get(f"/en/plans/{dated}").content.decode()
    form = plans.split('<form method="get" class="filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="as_of" value="2022-07-01">' in form
    assert f'href="/en/plans/{dated}">Clear</a>' in form
    assert f'href="/en/plans/fictional-plan/{dated}"' in plans
    province = client.get(f"/en/jurisdictions/340000/{dated}").content.decode()
    city_code = tracked["city"].code
    assert f'href="/en/plans/fictional-city-plan/{dated}"' in province
    assert f'href="/en/jurisdictions/{city_code}/{dated}"' in province
    assert 'href="/en/plans/?jurisdiction=340000&amp;as_of=2022-07-01"' in province
    city = client.get(f"/en/jurisdictions/{city_code}/{dated}").content.decode()
    assert f'href="/en/jurisdictions/340000/{dated}"' in city  # the way up
    plan = client.get(f"/en/plans/fictional-plan/{dated}").content.decode()
    assert f'href="/en/jurisdictions/340000/{dated}"' in plan

    today = "".join(
        client.get(path).content.decode()
        for path in ["/en/deadlines/2022/", "/en/plans/", "/en/jurisdictions/340000/"]
    )
    assert "as_of=" not in today.replace('name="as_of"', "")
    assert 'type="hidden" name="as_of"' not in today


def test_a_province_pages_latest_updates_are_its_own_plans_and_its_feed_adds_its_cities(
    client, tracked
):
    """The page's latest updates are those of the plans the province issued (its key
    cities' are on their own pages): one province's few thousand updates to sort, where
    with its cities' it sorted 17,000 at national scale (2 → 15 ms). Its feed follows
    the cities too."""
    city_milestone = make_milestone(plan=tracked["city_plan"])
    make_update(milestone=city_milestone, as_of=datetime.date(2022, 7, 1), narrative="虛構市進展")
    html = client.get("/zh-hant/jurisdictions/340000/").content.decode()
    updates = section(html, "updates-title")
    assert "虛構進展說明" in updates and "虛構市進展" not in updates
    assert "虛構市進展" in client.get("/zh-hant/feeds/jurisdictions/340000/").content.decode()
    city = client.get(f"/zh-hant/jurisdictions/{tracked['city'].code}/").content.decode()
    assert "虛構市進展" in city and "虛構進展說明" not in city


def test_simplified_pages_print_milestone_units_in_simplified(client, tracked):
    milestone = make_milestone(plan=tracked["plan"], kind="quantitative", unit="個業務系統")
    make_update(milestone=milestone, as_of=datetime.date(2022, 7, 1), value=Decimal(12))
    for path in ["/", "/plans/fictional-plan/", "/plans/fictional-plan/updates/"]:
        html = client.get(f"/zh-hans{path}").content.decode()
        assert "12</strong> 个业务系统" in html or "12 个业务系统" in html, path
        assert "個業務系統" not in html, path
    assert "個業務系統" in client.get("/zh-hant/plans/fictional-plan/").content.decode()


def test_percentages_on_pages_round_half_up(client, frozen_today):
    """1 of 8 milestones due delivered is 12.5 %: the site prints 13 %, as the source rounds
    (10/32 is 31.3), not Python's round() (12)."""
    province = make_jurisdiction(code="340000", name_en="Fictional Province")
    plan = make_plan(jurisdiction=province, slug="fictional-eighths-plan")
    milestones = [make_milestone(plan=plan, deadline=datetime.date(2022, 12, 31)) for _ in range(8)]
    make_update(milestone=milestones[0], as_of=datetime.date(2022, 6, 1), delivered=True)
    make_update(
        milestone=milestones[1], as_of=datetime.date(2022, 6, 1), percent_complete=Decimal("12.5")
    )
    html = client.get("/en/plans/fictional-eighths-plan/").content.decode()
    assert "1</strong> of 8 milestones due were delivered (13%)" in html
    assert "<strong>13%</strong> reported" in html  # the 12.5 % milestone's bar
    home = client.get("/en/").content.decode()
    assert "Fictional Province: 1 of 8 due delivered (13%)" in home


@pytest.mark.parametrize("fresh", [False, True], ids=["live", "snapshot"])
def test_deadline_year_scorecard_counts_what_its_list_and_the_index_count(
    client, frozen_today, fresh
):
    """A milestone due in 2023 broken into two parts achieved in 2022: the 2022 page's
    scorecard counts the parts, as its list, its status links, the index and the API do,
    whether computed live or summed from the snapshot."""
    from plans import snapshot

    plan = make_plan(issued_on=datetime.date(2021, 1, 1))
    parent = make_milestone(plan=plan, deadline=datetime.date(2023, 12, 31))
    for _ in range(2):
        part = make_milestone(plan=plan, parent=parent, deadline=datetime.date(2022, 12, 31))
        make_update(
            milestone=part, as_of=datetime.date(2022, 6, 30), delivered=True, percent_complete=None
        )
    missed = make_milestone(plan=plan, deadline=datetime.date(2022, 12, 31))
    make_update(milestone=missed, as_of=datetime.date(2022, 6, 30))
    if fresh:
        snapshot.refresh(full=True)
    assert snapshot.is_fresh(frozen_today) is fresh

    page = client.get("/en/deadlines/2022/")
    card = page.context["scorecard"]
    assert card["total"] == page.context["paginator"].count == 3
    assert (card["counts"]["achieved"], card["counts"]["missed"]) == (2, 1)
    assert (card["due"], card["due_delivered"]) == (3, 2)
    assert "2</strong> of 3 milestones due were delivered" in page.content.decode()
    for status, count in card["counts"].items():
        listed = client.get("/en/deadlines/2022/", {"status": status}).context["paginator"]
        assert listed.count == count, status
    index = client.get("/en/deadlines/").content.decode()
    assert '<span class="year">2022</span> <span class="meta">3 milestones</span>' in index
    assert '<span class="year">2023</span> <span class="meta">1 milestone</span>' in index
    # The API's card for the year counts the same milestones.
    api = client.get("/api/v1/scorecards/deadlines/2022/").json()
    assert (api["total"], api["counts"]) == (card["total"], card["counts"])


def test_jurisdiction_page_lists_its_newest_published_updates_newest_first(client, frozen_today):
    """The page keeps the HOME_ROWS newest published updates of the jurisdiction's own
    plans, in order, and no draft, scheduled update or other jurisdiction's."""
    from plans.models import ProgressUpdate
    from plans.views import HOME_ROWS

    here = make_jurisdiction(name_en="Fictional Here Province")
    elsewhere = make_jurisdiction(name_en="Fictional Elsewhere Province")
    milestone = make_milestone(plan=make_plan(jurisdiction=here))
    days = [datetime.date(2023, 1, 1) + datetime.timedelta(days=n) for n in range(HOME_ROWS + 3)]
    shown = [
        make_update(milestone=milestone, as_of=datetime.date(2022, 12, 1), published_on=day)
        for day in days
    ]
    make_update(milestone=milestone, as_of=datetime.date(2022, 12, 2), published_on=None)
    make_update(
        milestone=milestone,
        as_of=datetime.date(2022, 12, 3),
        published_on=datetime.date(2023, 7, 1),  # scheduled: tomorrow
    )
    make_update(
        milestone=make_milestone(plan=make_plan(jurisdiction=elsewhere)),
        as_of=datetime.date(2023, 6, 1),
        published_on=datetime.date(2023, 6, 29),
    )
    response = client.get(f"/en/jurisdictions/{here.code}/")
    assert response.status_code == 200
    listed = list(response.context["updates"])
    assert [u.pk for u in listed] == [u.pk for u in reversed(shown)][:HOME_ROWS]
    assert all(
        isinstance(u, ProgressUpdate) and u.milestone.plan.jurisdiction_id == here.pk
        for u in listed
    )


def test_newest_published_breaks_ties_by_id_as_the_one_query_did(frozen_today):
    """`newest_published` picks its keys in a subquery (read from an index alone on
    PostgreSQL): the same rows in the same order as sorting and slicing the rows whole,
    ties on the publication day newest id first."""
    from plans.models import ProgressUpdate

    here = make_jurisdiction(name_en="Fictional Tie Province")
    milestones = [make_milestone(plan=make_plan(jurisdiction=here)) for _ in range(3)]
    for n in range(12):
        make_update(
            milestone=milestones[n % 3],
            as_of=datetime.date(2022, 12, 1),
            published_on=datetime.date(2023, 1, 1 + n // 5),
        )
    updates = ProgressUpdate.objects.published().in_jurisdiction(here)
    whole = list(updates.order_by("-published_on", "-id")[:8])
    assert list(updates.newest_published(8)) == whole
    assert [(u.published_on, u.pk) for u in whole] == sorted(
        ((u.published_on, u.pk) for u in whole), reverse=True
    )
    assert list(updates.newest_published(8).for_timeline()) == whole
