"""Bad query parameters get a 400 or 404 page in the visitor's language, never a 500."""

import pytest

from tests.factories import make_indicator, make_tracked_plan

pytestmark = pytest.mark.django_db

LONG = "數" * 10_000


@pytest.fixture
def data(frozen_today):
    make_tracked_plan(slug="fictional-plan")
    make_indicator(slug="fictional-indicator")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/en/plans/?status=bogus", 400),
        ("/en/plans/?kind=bogus", 400),
        ("/en/plans/?level=bogus", 400),
        ("/en/plans/?deadline_year=abc", 400),
        ("/en/plans/?deadline_year=99999999999999999999", 400),
        ("/en/plans/?issued_after=2021-13-45", 400),
        ("/en/plans/?issued_before=yesterday", 400),
        ("/en/plans/?jurisdiction=%27%3B--", 400),
        ("/en/plans/?o=password", 400),
        (f"/en/plans/?q={LONG}", 400),
        ("/en/plans/?as_of=not-a-date", 400),
        ("/en/plans/?as_of=0001-01-01", 400),
        ("/en/plans/?page=999999", 404),
        ("/en/plans/?page=abc", 404),
        ("/en/plans/fictional-plan/?as_of=not-a-date", 400),
        ("/en/plans/fictional-plan/?as_of=2022-02-30", 400),
        ("/en/plans/fictional-plan/?as_of=9999-12-31", 400),
        ("/en/plans/fictional-plan/updates/?as_of=not-a-date", 400),
        ("/en/plans/fictional-plan/updates/?as_of=%00", 400),
        ("/en/plans/fictional-plan/updates/?page=999999", 404),
        ("/en/plans/fictional-plan/updates/?page=abc", 404),
        ("/en/plans/nope/updates/", 404),
        ("/en/jurisdictions/nope/?page=999999", 404),
        ("/en/deadlines/2022/?status=bogus", 400),
        ("/en/deadlines/2022/?page=999999", 404),
        ("/en/deadlines/2022/?as_of=not-a-date", 400),
        ("/en/deadlines/99999/", 404),
        ("/en/deadlines/0/", 404),
        ("/en/indicators/?page=999999", 404),
        ("/en/indicators/fictional-indicator/?page=999999", 404),
        (f"/en/indicators/fictional-indicator/?jurisdiction={LONG}", 400),
        ("/en/indicators/nope/", 404),
        ("/en/feeds/plans/nope/", 404),
        ("/en/feeds/jurisdictions/nope/", 404),
        ("/en/plans/?q=%00", 400),
        ("/en/plans/?jurisdiction=%00", 400),
        ("/en/plans/?o=%00", 400),
        ("/en/plans/?as_of=%00", 400),
        ("/en/jurisdictions/%00/", 404),
        ("/en/jurisdictions/a%27b/", 404),
        ("/en/feeds/jurisdictions/%00/", 404),
        ("/en/indicators/fictional-indicator/?jurisdiction=%00", 400),
        ("/en/deadlines/2022/?status=%00", 400),
    ],
)
def test_bad_parameters_answer_a_clean_4xx(client, data, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert "<h1>" in response.content.decode()


def test_a_10000_character_search_is_a_form_error_not_a_crash(client, data):
    response = client.get(f"/en/plans/?q={LONG}")
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Ensure this value has at most 200 characters" in html


def test_the_error_is_in_the_visitors_language(client, data):
    html = client.get("/zh-hant/plans/?status=bogus").content.decode()
    assert "選擇有效的選項" in html  # Django's own Traditional Chinese message
    html = client.get("/zh-hant/plans/fictional-plan/?as_of=not-a-date").content.decode()
    assert "YYYY-MM-DD" in html and 'lang="zh-Hant"' in html


def test_a_good_filter_beside_a_bad_one_does_not_list_unfiltered_plans(client, data):
    response = client.get("/en/plans/?kind=plan&status=bogus")
    assert response.status_code == 400
    assert "Fictional Digital Government Plan" not in response.content.decode()
