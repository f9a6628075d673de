"""Atom feeds of published updates and the sitemap with its language alternates."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from tests.factories import make_jurisdiction, make_milestone, make_tracked_plan, make_update

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def feeds_data(frozen_today):
    province = make_jurisdiction(code="340000", name_en="Fictional Province")
    other = make_jurisdiction(name_en="Other Fictional Province")
    plan = make_tracked_plan(jurisdiction=province, slug="fictional-plan")
    other_plan = make_tracked_plan(jurisdiction=other, slug="other-plan")
    # A draft and an update scheduled after today stay out of every feed.
    milestone = make_milestone(plan=plan)
    make_update(milestone=milestone, published_on=None, narrative="虛構草稿")
    make_update(milestone=milestone, published_on=datetime.date(2023, 7, 1), narrative="虛構排程")
    return {"plan": plan, "other_plan": other_plan, "province": province}


def entries(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    return root, root.findall(f"{ATOM}entry")


def test_site_feed_lists_published_updates_only(client, feeds_data):
    root, items = entries(client, "/en/feeds/updates/")
    assert root.find(f"{ATOM}title").text == "govtracker: latest progress updates"
    assert len(items) == 4  # two published updates of each fictional plan
    text = ET.tostring(root, encoding="unicode")
    assert "虛構草稿" not in text and "虛構排程" not in text
    links = [item.find(f"{ATOM}link").get("href") for item in items]
    assert all("/en/plans/" in link and "#update-" in link for link in links)
    summaries = " ".join(item.find(f"{ATOM}summary").text for item in items)
    assert "50% complete" in summaries and "Sources: 虛構來源" in summaries


def test_plan_feed_lists_only_that_plans_updates(client, feeds_data):
    _root, items = entries(client, "/en/feeds/plans/fictional-plan/")
    assert len(items) == 2
    assert all("fictional-plan" in item.find(f"{ATOM}link").get("href") for item in items)


def test_jurisdiction_feed_lists_updates_in_that_jurisdiction(client, feeds_data):
    _root, items = entries(client, "/en/feeds/jurisdictions/340000/")
    assert len(items) == 2


def test_jurisdiction_feed_includes_the_key_cities_updates(client, feeds_data):
    city = make_jurisdiction(level="key_city", parent=feeds_data["province"])
    make_tracked_plan(jurisdiction=city, slug="city-plan")
    _root, items = entries(client, "/en/feeds/jurisdictions/340000/")
    assert len(items) == 4  # the province's two updates and the city's two


def test_simplified_feed_prints_milestone_units_in_simplified(client, feeds_data):
    milestone = make_milestone(plan=feeds_data["plan"], kind="quantitative", unit="個業務系統")
    make_update(milestone=milestone, value=Decimal(12))
    root, _items = entries(client, "/zh-hans/feeds/updates/")
    text = ET.tostring(root, encoding="unicode")
    assert "已达到:12 个业务系统" in text and "個業務系統" not in text


def test_feed_titles_follow_the_language(client, feeds_data):
    root, _items = entries(client, "/zh-hans/feeds/plans/fictional-plan/")
    assert "虚构数字政府规划" in root.find(f"{ATOM}title").text


def test_sitemap_index_lists_each_section(client, feeds_data):
    xml = client.get("/sitemap.xml").content.decode()
    for section in ["pages", "plans", "jurisdictions", "deadlines", "indicators"]:
        assert f"<loc>http://testserver/sitemap-{section}.xml</loc>" in xml


def test_sitemap_lists_every_page_in_each_language_with_alternates(client, feeds_data):
    xml = "".join(
        client.get(f"/sitemap-{section}.xml").content.decode()
        for section in ["pages", "plans", "deadlines"]
    )
    for prefix in ["zh-hant", "zh-hans", "en"]:
        assert f"<loc>http://testserver/{prefix}/plans/fictional-plan/</loc>" in xml
        assert f"<loc>http://testserver/{prefix}/deadlines/2022/</loc>" in xml
        assert f"<loc>http://testserver/{prefix}/about/</loc>" in xml
    assert 'hreflang="zh-hans" href="http://testserver/zh-hans/plans/fictional-plan/"' in xml
    assert 'hreflang="x-default"' in xml


def test_sitemap_of_deadline_years_lists_the_years_the_deadline_index_keeps(
    client, feeds_data, monkeypatch
):
    """Not a DISTINCT over every milestone's deadline per request (110 ms at national
    scale): the years kept with the scorecards for the deadline index
    (plans.views.deadline_years, cached until the data changes)."""
    from plans import sitemaps

    monkeypatch.setattr(sitemaps, "deadline_years", lambda: [(2022, 3), (2031, 1)])
    xml = client.get("/sitemap-deadlines.xml").content.decode()
    assert "<loc>http://testserver/en/deadlines/2031/</loc>" in xml
    assert "<loc>http://testserver/en/deadlines/2022/</loc>" in xml
    assert xml.count("<url>") == 2 * 3  # two years, three languages


def test_sitemap_pages_split_plans_without_losing_or_repeating_one(client, feeds_data, settings):
    from plans.sitemaps import PlanSitemap
    from tests.factories import make_plan

    for n in range(5):
        make_plan(slug=f"extra-{n}")
    PlanSitemap.limit = 4  # 7 plans x 3 languages = 21 entries: 6 pages, split mid-plan
    try:
        locations = []
        for page in range(1, 7):
            xml = client.get(f"/sitemap-plans.xml?p={page}").content.decode()
            locations += [line for line in xml.split("<loc>")[1:]]
        assert client.get("/sitemap-plans.xml?p=7").status_code == 404
    finally:
        PlanSitemap.limit = 15_000
    urls = [location.split("</loc>")[0] for location in locations]
    assert len(urls) == 21 and len(set(urls)) == 21


def test_a_scheduled_update_is_not_updated_before_it_was_published(client, feeds_data):
    """Written on 2023-06-30 for publication on 2023-07-01: on that day its entry says it
    was published then, and updated no earlier."""
    import time_machine

    with time_machine.travel(datetime.datetime(2023, 7, 1, 12, tzinfo=datetime.UTC), tick=False):
        _root, items = entries(client, "/en/feeds/updates/")
    scheduled = next(item for item in items if "虛構排程" in ET.tostring(item, encoding="unicode"))
    published = scheduled.find(f"{ATOM}published").text
    updated = scheduled.find(f"{ATOM}updated").text
    assert published.startswith("2023-07-01")
    assert datetime.datetime.fromisoformat(updated) >= datetime.datetime.fromisoformat(published)


def test_an_empty_feed_is_updated_when_its_subject_last_changed_not_now(client):
    """Django writes the current time into an empty feed's <updated>: the feed, and its
    ETag, would change on every request. A plan's empty feed says when the plan last
    changed; the site's and a jurisdiction's, never (the epoch)."""
    import time_machine

    from plans.models import Plan
    from tests.factories import make_plan

    jurisdiction = make_jurisdiction(code="910000")
    plan = make_plan(jurisdiction=jurisdiction, slug="fictional-quiet-plan")
    modified = Plan.objects.get(pk=plan.pk).modified
    for path, expected in [
        ("/en/feeds/plans/fictional-quiet-plan/", modified),
        ("/en/feeds/jurisdictions/910000/", datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)),
        ("/en/feeds/updates/", datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)),
    ]:
        seen = set()
        for day in (1, 2):
            moment = datetime.datetime(2030, 1, day, 12, tzinfo=datetime.UTC)
            with time_machine.travel(moment, tick=False):
                response = client.get(path)
            root = ET.fromstring(response.content)
            assert root.findall(f"{ATOM}entry") == []
            seen.add((root.find(f"{ATOM}updated").text, response.get("ETag")))
        assert len(seen) == 1, path
        (updated, _etag), *_rest = seen
        assert datetime.datetime.fromisoformat(updated) == expected, path
