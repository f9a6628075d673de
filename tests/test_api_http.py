"""The API's HTTP: conditional GET, CORS for reads only, throttling of anonymous clients,
JSON answers everywhere under /api/, the documentation served from our own files."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_editor, make_jurisdiction, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return APIClient()


def test_conditional_get_answers_304_for_a_matching_etag(client):
    make_plan()
    first = client.get("/api/v1/plans/")
    etag = first["ETag"]
    assert etag
    again = client.get("/api/v1/plans/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""


def test_the_etag_changes_with_the_data(client):
    plan = make_plan(title="虛構甲")
    etag = client.get(f"/api/v1/plans/{plan.slug}/")["ETag"]
    plan.title = "虛構乙"
    plan.save()
    response = client.get(f"/api/v1/plans/{plan.slug}/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["title"] == "虛構乙"


def test_responses_vary_on_who_asks_and_in_which_language(client, db):
    vary = client.get("/api/v1/plans/")["Vary"]
    for header in ("Accept", "Accept-Language", "Authorization", "Cookie", "origin"):
        assert header.lower() in vary.lower()


def test_cors_lets_any_origin_read(client, db):
    response = client.get("/api/v1/plans/", HTTP_ORIGIN="https://news.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/plans/",
        HTTP_ORIGIN="https://news.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_cors_never_lets_another_origin_write(client, db):
    preflight = client.options(
        "/api/v1/plans/",
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type",
    )
    assert "Access-Control-Allow-Origin" not in preflight
    post = client.post("/api/v1/plans/", {}, HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in post


def test_cors_is_for_the_api_only(client, db):
    response = client.get("/en/", HTTP_ORIGIN="https://news.example")
    assert "Access-Control-Allow-Origin" not in response


def test_anonymous_clients_are_throttled_with_retry_after(client, db, settings):
    settings.API_ANON_RATE = "3/minute"
    statuses = [client.get("/api/v1/jurisdictions/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/jurisdictions/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]


def test_editors_are_not_throttled_as_anonymous(client, db, settings):
    settings.API_ANON_RATE = "1/minute"
    client.force_authenticate(make_editor(make_jurisdiction()))
    statuses = {client.get("/api/v1/jurisdictions/").status_code for _ in range(3)}
    assert statuses == {200}


def test_an_empty_rate_turns_throttling_off(client, db, settings):
    settings.API_ANON_RATE = ""
    statuses = {client.get("/api/v1/jurisdictions/").status_code for _ in range(5)}
    assert statuses == {200}


def test_unknown_api_paths_answer_json_404(client, db):
    for path in ("/api/v1/nothing-here/", "/api/v1/plans/a.b/c/", "/api/v2/"):
        response = client.get(path)
        assert response.status_code == 404, path
        if path.startswith("/api/v1/"):
            assert response["Content-Type"] == "application/json"


def test_an_unsupported_method_is_405_for_everyone(client, db):
    response = client.delete("/api/v1/plans/")
    assert response.status_code == 405
    assert "DELETE" not in response["Allow"]


def test_error_messages_follow_accept_language(client, db):
    english = client.post("/api/v1/plans/", {}, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.post("/api/v1/plans/", {}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["detail"] == "Authentication credentials were not provided."
    assert chinese["detail"] != english["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/plans/nope/", "/api/v1/milestones/999999/", "/api/v1/indicators/nope/"]
)
def test_a_missing_object_is_a_404_in_the_requests_language(client, db, path):
    english = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert english.status_code == chinese.status_code == 404
    assert english.json() == {"detail": "Not found."}
    assert chinese.json() == {"detail": "找不到資源。"}
    # Without Accept-Language: the site's default language, Traditional Chinese.
    assert client.get(path).json() == chinese.json()


def test_the_api_is_not_language_prefixed(client, db):
    assert client.get("/en/api/v1/plans/").status_code == 404


def test_docs_ui_is_served_from_our_own_static_files(client, db):
    import re

    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # Nothing from another origin, and no inline script (the CSP allows none).
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script>" not in html
    script = re.search(r'<script src="([^"]*script[^"]*)"', html).group(1)
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert "SwaggerUIBundle" in init.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/schema/"])
def test_options_on_the_docs_and_schema_says_which_methods_they_allow(client, db, path):
    for accept in ("*/*", "text/html,application/xhtml+xml,*/*;q=0.8"):  # a browser's
        response = client.options(path, HTTP_ACCEPT=accept)
        assert response.status_code == 200, (path, accept)
        assert {"GET", "HEAD", "OPTIONS"} <= set(response["Allow"].split(", "))


def test_an_unknown_api_path_is_a_json_404_for_every_method_with_no_csrf_check(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client, method)("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404, method
        assert response.json() == {"detail": "Not found."}


def test_the_browsable_apis_breadcrumbs_skip_paths_that_are_not_resources(client, db):
    """A path under no resource answers from a plain view, which the breadcrumbs skip (a
    DRF view there would show as "Not Found"); a scorecard's lead through the scorecards'
    index (/api/v1/scorecards/, since session 23) back to the API root."""
    from rest_framework.utils.breadcrumbs import get_breadcrumbs

    crumbs = get_breadcrumbs("/api/v1/scorecards/deadlines/2022/")
    assert [name for name, _url in crumbs] == [
        "Api Root",
        "Scorecard List",
        "Deadlines",
        "Deadline",
    ]
    assert [name for name, _url in get_breadcrumbs("/api/v1/no-such-thing/plans/")] == ["Api Root"]
    html = client.get("/api/v1/scorecards/deadlines/", HTTP_ACCEPT="text/html").content.decode()
    assert "Not Found" not in html
