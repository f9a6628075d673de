"""bench/survey.py: the addresses it asks for and the table it prints (no timing checked)."""

import pytest

from bench.survey import addresses, survey
from tests.factories import make_jurisdiction, make_milestone, make_plan


@pytest.fixture
def some_data(db):
    province = make_jurisdiction(code="FX01", level="provincial")
    county = make_jurisdiction(code="FX010101", level="county", parent=province)
    plan = make_plan(jurisdiction=county, slug="fictional-survey-plan")
    return make_milestone(plan=plan)


def test_every_sort_filter_and_search_of_the_lists_is_asked_for(some_data):
    urls = addresses()
    for url in [
        "/api/v1/milestones/?ordering=-modified",  # each sort, both ways
        "/api/v1/updates/?ordering=created",
        "/api/v1/updates/?published=false",  # each filter, with values from the data
        "/api/v1/plans/?jurisdiction=FX010101",
        "/api/v1/plans/?status=missed",
        f"/api/v1/updates/?milestone={some_data.pk}",
        "/api/v1/updates/?q=zzzz",  # the search that matches nothing
        "/api/v1/observations/?as_of_before=2019-01-01",
        "/zh-hant/plans/?deadline_year=2023",  # the plans page's filters and sorts
        "/zh-hant/plans/?o=-end",
    ]:
        assert url in urls
    assert not [url for url in urls if "scorecards" in url]
    assert len(urls) == len(set(urls))


def test_the_survey_prints_each_address_and_fails_on_an_error(some_data, settings, capsys):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    assert survey(["/api/v1/plans/?ordering=-modified", "/api/v1/plans/"], 1, 1000) == 0
    out = capsys.readouterr().out
    assert "200  /api/v1/plans/?ordering=-modified" in out
    assert "2 addresses, 0 slower than 1000 ms, 0 not 200" in out
    assert survey(["/api/v1/plans/?ordering=nope"], 1, 1000) == 1
    assert "400  /api/v1/plans/?ordering=nope  NOT 200" in capsys.readouterr().out
