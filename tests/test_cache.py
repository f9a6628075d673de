"""The page cache (govtracker/cache.py): anonymous reads of pages, the API and scorecards
come from the cache without a query, and no visitor sees stale data once a write commits,
whichever way it was made (admin, API, spreadsheet import, publishing, a command, a bulk
update). Writes are committed for real here (transactional tests): elsewhere each test
runs inside one transaction, where the cache steps aside once the test has written."""

import datetime
import os
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from import_export.formats.base_formats import CSV
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from govtracker import cache as page_cache
from plans.models import Jurisdiction, Milestone, Plan, ProgressUpdate
from plans.resources import MilestoneResource
from plans.services import updates_publish
from tests.factories import (
    make_editor,
    make_jurisdiction,
    make_milestone,
    make_plan,
    make_source,
    make_update,
    make_user,
)

committed = pytest.mark.django_db(transaction=True)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def get(url, client=None, **headers):
    """An anonymous GET, with the number of queries it cost."""
    client = client or Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def plan(db):
    province = make_jurisdiction(code="910000", name_en="Fictional Province")
    plan = make_plan(jurisdiction=province, slug="fictional-cached-plan", title_en="Before")
    make_update(milestone=make_milestone(plan=plan), narrative_en="Fictional first report")
    return plan


PUBLIC_READS = [
    "/en/",
    "/zh-hant/plans/",
    "/en/plans/fictional-cached-plan/",
    "/en/jurisdictions/910000/",
    "/en/deadlines/2022/",
    "/en/indicators/",
    "/en/feeds/updates/",
    "/api/v1/plans/",
    "/api/v1/plans/fictional-cached-plan/",
    "/api/v1/scorecards/national/",
    "/api/v1/updates/",
]


@committed
@pytest.mark.parametrize("url", PUBLIC_READS)
def test_a_repeated_anonymous_read_is_served_from_the_cache_without_a_query(plan, url):
    first, first_queries = get(url)
    again, again_queries = get(url)
    assert first.status_code == again.status_code == 200
    assert first_queries > 0
    assert again_queries == 0
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]


@committed
def test_languages_and_formats_are_cached_apart(plan):
    english, _ = get("/en/plans/fictional-cached-plan/")
    chinese, _ = get("/zh-hans/plans/fictional-cached-plan/")
    assert english.content != chinese.content
    assert get("/en/plans/fictional-cached-plan/")[0].content == english.content
    # The API's language follows Accept-Language; its format follows Accept.
    api = "/api/v1/scorecards/national/"
    en, _ = get(api, HTTP_ACCEPT_LANGUAGE="en")
    zh, _ = get(api, HTTP_ACCEPT_LANGUAGE="zh-hans", HTTP_ACCEPT="text/html")
    assert en["Content-Type"] == "application/json"
    assert zh["Content-Type"].startswith("text/html")
    assert get(api, HTTP_ACCEPT_LANGUAGE="en")[0].content == en.content


@committed
def test_a_matching_etag_gets_304_without_a_query_and_a_write_changes_the_etag(plan):
    url = "/en/plans/fictional-cached-plan/"
    etag = get(url)[0]["ETag"]
    response, queries = get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert queries == 0
    Plan.objects.filter(pk=plan.pk).update(title_en="After")
    response, _ = get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "After" in text(response)


@committed
def test_an_admin_change_form_save_shows_at_once(plan, admin_client):
    jurisdiction = Jurisdiction.objects.get(code="910000")
    url = "/en/jurisdictions/910000/"
    assert "Fictional Province" in text(get(url)[0])
    response = admin_client.post(
        f"/en/admin/plans/jurisdiction/{jurisdiction.pk}/change/",
        {
            "code": "910000",
            "level": jurisdiction.level,
            "parent": "",
            "name_zh_hant": jurisdiction.name_zh_hant,
            "name_zh_hans": jurisdiction.name_zh_hans,
            "name_en": "Renamed Fictional Province",
        },
    )
    assert response.status_code == 302, response.content
    assert "Renamed Fictional Province" in text(get(url)[0])


@committed
def test_an_admin_delete_shows_at_once(plan, admin_client):
    assert "fictional-cached-plan" in text(get("/api/v1/plans/")[0])
    assert get("/en/plans/fictional-cached-plan/")[0].status_code == 200
    response = admin_client.post(f"/en/admin/plans/plan/{plan.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert "fictional-cached-plan" not in text(get("/api/v1/plans/")[0])
    assert get("/en/plans/fictional-cached-plan/")[0].status_code == 404


@pytest.fixture
def token_client(plan):
    editor = make_editor(plan.jurisdiction)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    return client


@committed
def test_api_writes_show_at_once(plan, token_client):
    detail = "/api/v1/plans/fictional-cached-plan/"
    listing = "/api/v1/plans/"
    patch = {"title_en": "Patched"}
    if "version" in get(detail)[0].json():  # optimistic locking: send the version read
        patch["version"] = get(detail)[0].json()["version"]
    get(listing)
    # PATCH
    response = token_client.patch(detail, patch, format="json")
    assert response.status_code == 200, response.content
    assert get(detail)[0].json()["title_en"] == "Patched"
    # POST
    body = {
        "slug": "fictional-posted-plan",
        "title": "虛構新規劃",
        "jurisdiction": "910000",
        "issuing_body": "虛構省人民政府",
        "kind": "plan",
        "issued_on": "2021-05-01",
        "start_year": 2021,
        "end_year": 2025,
    }
    assert token_client.post(listing, body, format="json").status_code == 201
    assert "fictional-posted-plan" in text(get(listing)[0])
    # PUT
    current = get(detail)[0].json()
    put = {key: current[key] for key in body if key != "jurisdiction"}
    put.update(jurisdiction="910000", title_en="Put")
    if "version" in current:
        put["version"] = current["version"]
    response = token_client.put(detail, put, format="json")
    assert response.status_code == 200, response.content
    assert get(detail)[0].json()["title_en"] == "Put"


@committed
def test_a_spreadsheet_import_shows_at_once_and_a_preview_changes_nothing(plan):
    url = "/en/plans/fictional-cached-plan/"
    before, _ = get(url)
    editor = make_editor(plan.jurisdiction)
    # make_editor wrote (editor scopes live in the plans app): read again to cache.
    before, _ = get(url)
    csv = (
        "id,plan,parent,position,statement,statement_en,start_date,deadline,kind,"
        "baseline_value,target_value,unit,weight\n"
        f",{plan.slug},,9,虛構匯入目標,Fictional imported milestone,,2024-12-31,qualitative,,,,1\n"
    )
    preview = MilestoneResource(user=editor).import_data(
        CSV().create_dataset(csv), user=editor, dry_run=True
    )
    assert not preview.has_errors() and not preview.has_validation_errors()
    # A dry run writes inside a transaction it rolls back: the page stays cached.
    response, queries = get(url)
    assert queries == 0
    assert response.content == before.content
    result = MilestoneResource(user=editor).import_data(CSV().create_dataset(csv), user=editor)
    assert not result.has_errors() and not result.has_validation_errors()
    assert "Fictional imported milestone" in text(get(url)[0])


@committed
def test_publishing_a_draft_shows_at_once(plan):
    editor = make_editor(plan.jurisdiction)
    draft = make_update(
        milestone=plan.milestones.get(),
        as_of=datetime.date(2022, 9, 30),
        published_on=None,
        narrative_en="Fictional draft report",
    )
    url = "/en/plans/fictional-cached-plan/"
    assert "Fictional draft report" not in text(get(url)[0])
    assert "Fictional draft report" not in text(get("/api/v1/updates/")[0])
    # A bulk update (no model signal) through the publishing service.
    assert updates_publish(updates=[draft], user=editor) == 1
    assert "Fictional draft report" in text(get(url)[0])
    assert "Fictional draft report" in text(get("/api/v1/updates/")[0])


@committed
def test_a_management_command_shows_at_once():
    assert get("/api/v1/scorecards/national/")[0].json()["total"] == 0
    call_command("load_source_data", verbosity=0)
    assert get("/api/v1/scorecards/national/")[0].json()["total"] > 0


@committed
def test_a_write_rolled_back_leaves_the_cached_page(plan):
    url = "/en/plans/fictional-cached-plan/"
    before, _ = get(url)
    with pytest.raises(RuntimeError), transaction.atomic():
        Plan.objects.filter(pk=plan.pk).update(title_en="Never committed")
        raise RuntimeError
    response, queries = get(url)
    assert queries == 0
    assert response["ETag"] == before["ETag"]
    assert "Never committed" not in text(response)


@committed
def test_a_bump_by_hand_makes_every_page_stale(plan):
    url = "/en/"
    get(url)
    assert get(url)[1] == 0
    page_cache.bump_data_version()
    assert get(url)[1] > 0


@committed
def test_editors_are_never_served_the_cached_public_answer(plan):
    draft = make_update(
        milestone=plan.milestones.get(), published_on=None, narrative_en="Fictional draft"
    )
    editor = make_editor(plan.jurisdiction)
    url = f"/api/v1/updates/{draft.pk}/"
    listing = "/api/v1/updates/"
    assert get(url)[0].status_code == 404
    assert "Fictional draft" not in text(get(listing)[0])
    # Signed in with a session (cookie) or a token (header): the editor sees the draft.
    session = Client()
    session.force_login(editor)
    assert session.get(url).status_code == 200
    assert "Fictional draft" in text(session.get(listing))
    token = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    assert token.get(url).status_code == 200
    assert "Fictional draft" in text(token.get(listing))
    # … and what they were answered is never kept for anyone else.
    response, queries = get(listing)
    assert "Fictional draft" not in text(response)
    assert queries == 0


@committed
def test_a_signed_in_visitor_gets_pages_rendered_for_them(plan):
    url = "/en/plans/fictional-cached-plan/"
    get(url)
    client = Client()
    client.force_login(make_user())
    # force_login wrote a session (not data): the anonymous page stays cached.
    assert get(url)[1] == 0
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) > 0


@committed
def test_page_cache_off_renders_every_time(plan, settings):
    settings.PAGE_CACHE = False
    url = "/en/plans/fictional-cached-plan/"
    first, _ = get(url)
    again, queries = get(url)
    assert queries > 0
    assert "ETag" not in again  # pages have no ETag of their own
    # The API keeps the ETag of its body, and 304.
    etag = get("/api/v1/plans/")[0]["ETag"]
    assert get("/api/v1/plans/", HTTP_IF_NONE_MATCH=etag)[0].status_code == 304


@committed
def test_a_scheduled_update_appears_at_midnight_without_a_write(plan):
    make_update(
        milestone=plan.milestones.get(),
        as_of=datetime.date(2023, 6, 30),
        published_on=datetime.date(2023, 7, 1),
        narrative_en="Fictional scheduled report",
    )
    url = "/en/plans/fictional-cached-plan/"
    evening = datetime.datetime(2023, 6, 30, 23, 59, tzinfo=SHANGHAI)
    with time_machine.travel(evening, tick=False):
        assert "Fictional scheduled report" not in text(get(url)[0])
        assert get(url)[1] == 0
    with time_machine.travel(evening + datetime.timedelta(minutes=2), tick=False):
        response, queries = get(url)
    assert queries > 0
    assert "Fictional scheduled report" in text(response)


def pass_through(view, path="/en/fictional/", **extra) -> int:
    """How many times `view` runs for two identical anonymous GETs through the middleware."""
    calls = []

    def counted(request):
        calls.append(request.path)
        return view(request)

    middleware = page_cache.PageCacheMiddleware(counted)
    for _ in range(2):
        assert middleware(RequestFactory().get(path, **extra)).status_code == 200
    return len(calls)


def page(request):
    return HttpResponse("fictional page")


def test_a_plain_page_is_rendered_once(db):
    assert pass_through(page) == 1


@pytest.mark.parametrize("path", ["/en/admin/login/", "/zh-hant/admin/", "/health/", "/i18n/x/"])
def test_the_admin_health_and_language_views_are_never_cached(db, path):
    assert pass_through(page, path) == 2


def test_signed_in_requests_are_never_served_from_the_cache(db, settings):
    assert pass_through(page, HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=x") == 2
    assert pass_through(page, HTTP_AUTHORIZATION="Token fictional") == 2


def with_cookie(request):
    response = page(request)
    response.set_cookie("fictional", "1")
    return response


def with_csrf_token(request):
    return HttpResponse(get_token(request))


def with_nonce(request):
    request._csp_nonce = "fictional-nonce"
    return page(request)


def streamed(request):
    return StreamingHttpResponse(iter(["a,b\n"]))


def varying_on_user_agent(request):
    response = page(request)
    response["Vary"] = "User-Agent"
    return response


def private(request):
    response = page(request)
    response["Cache-Control"] = "private"
    return response


@pytest.mark.parametrize(
    "view", [with_cookie, with_csrf_token, with_nonce, streamed, varying_on_user_agent, private]
)
def test_responses_that_belong_to_one_visitor_or_stream_are_never_kept(db, view):
    assert pass_through(view) == 2


@committed
def test_cached_api_reads_still_count_against_the_anonymous_rate(plan, settings):
    settings.API_ANON_RATE = "3/minute"
    statuses = [get("/api/v1/jurisdictions/")[0].status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_inside_an_uncommitted_transaction_the_cache_steps_aside(plan):
    """A test's own transaction (no commit): after a write, reads are rendered afresh."""
    url = "/en/plans/fictional-cached-plan/"
    assert page_cache.has_uncommitted_writes()
    first, _ = get(url)
    Plan.objects.filter(pk=plan.pk).update(title_en="Uncommitted")
    response, queries = get(url)
    assert queries > 0
    assert "Uncommitted" in text(response)
    assert "ETag" not in response


@committed
def test_scorecards_are_cached_for_pages_that_share_them(plan):
    get("/en/deadlines/2022/")
    # Another address showing the same scorecard: rendered, but the roll-up is reused.
    _, with_scorecard_cached = get("/en/deadlines/2022/?status=missed")
    page_cache.bump_data_version()
    _, after_bump = get("/en/deadlines/2022/?status=missed")
    # The scorecard, the list of years and the snapshot's state are shared; the filtered
    # count is its own.
    assert with_scorecard_cached == after_bump - 3


def test_writes_to_other_tables_do_not_bump_the_version(db):
    page_cache.data_version()
    version = page_cache.data_version()
    assert not page_cache._is_data_write('INSERT INTO "django_session" ("x") VALUES (1)')
    assert page_cache._is_data_write('UPDATE "plans_plan" SET "title" = 1')
    assert page_cache._is_data_write('DELETE FROM "metrics_observation" WHERE 1')
    assert page_cache._is_data_write('INSERT INTO "plans_progressupdate_sources" VALUES (1)')
    assert page_cache._is_data_write('TRUNCATE "auth_user", "plans_plan"')
    assert not page_cache._is_data_write('SELECT "plans_plan"."id" FROM "plans_plan"')
    assert page_cache.data_version() == version
    ProgressUpdate.objects.none()
    make_source()  # inside the test's transaction: only after commit
    assert page_cache.data_version() == version


@committed
def test_a_write_in_another_process_makes_this_ones_pages_stale(plan, settings):
    """A management command or another worker: with the local-memory cache the version is
    a file every process reads; with Redis it is in Redis."""
    import os
    import subprocess
    import sys

    url = "/en/plans/fictional-cached-plan/"
    get(url)
    assert get(url)[1] == 0
    environment = {**os.environ, "PAGE_CACHE_VERSION_FILE": settings.PAGE_CACHE_VERSION_FILE}
    subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from govtracker.cache import bump_data_version; bump_data_version()"],
        env={**environment, "DJANGO_SETTINGS_MODULE": "govtracker.settings"},
        check=True,
        cwd=settings.BASE_DIR,
    )  # fmt: skip
    assert get(url)[1] > 0


@committed
def test_head_requests_are_answered_from_the_cache_too(plan):
    url = "/en/plans/fictional-cached-plan/"
    etag = get(url)[0]["ETag"]
    with CaptureQueriesContext(connection) as queries:
        response = Client().head(url)
    assert response.status_code == 200
    assert response["ETag"] == etag
    assert len(queries) == 0


@committed
@pytest.mark.parametrize("url", ["/en/plans/?format=csv", "/api/v1/plans/?format=csv"])
def test_csv_files_stream_and_are_never_held_in_the_cache(plan, url):
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(url)
            assert response.streaming
            body = b"".join(response.streaming_content)
        assert "fictional-cached-plan" in body.decode()
        assert len(queries) > 0


@committed
def test_a_cache_that_cannot_be_reached_leaves_pages_rendered_without_it(plan, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("fictional outage")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "incr", down)
    response, queries = get("/en/plans/fictional-cached-plan/")
    assert response.status_code == 200
    assert queries > 0
    page_cache.bump_data_version()  # logged, never raised


@committed
def test_the_browsable_api_with_its_csrf_token_is_rendered_each_time(plan):
    first, _ = get("/api/v1/plans/", HTTP_ACCEPT="text/html")
    assert "csrftoken" in first.cookies
    again, queries = get("/api/v1/plans/", HTTP_ACCEPT="text/html")
    assert queries > 0


@committed
def test_synthetic_data_loaded_by_copy_shows_at_once():
    """generate_synthetic_data writes with PostgreSQL's COPY, around Django's cursor."""
    assert get("/api/v1/scorecards/national/")[0].json()["total"] == 0
    get("/api/v1/scorecards/national/")
    call_command(
        "generate_synthetic_data", "--scale", "small", "--no-progress", stdout=open(os.devnull, "w")
    )  # noqa: SIM115
    assert get("/api/v1/scorecards/national/")[0].json()["total"] > 0


@committed
def test_rows_loaded_around_djangos_cursor_show_at_once():
    """plans/bulk_load.py: COPY on PostgreSQL (psycopg's own cursor), executemany on
    SQLite."""
    from plans import bulk_load

    listing = "/api/v1/jurisdictions/"
    get(listing)
    assert get(listing)[1] == 0
    row = (bulk_load.next_id(Jurisdiction), "990001", "provincial", None, "虛構", "虚构", "Copied")
    columns = ("id", "code", "level", "parent_id", "name_zh_hant", "name_zh_hans", "name_en")
    bulk_load.Loader(progress=False).load(Jurisdiction, columns, [row])
    assert "990001" in text(get(listing)[0])


@committed
def test_scorecards_stay_cached_when_only_the_page_cache_is_off(plan, settings):
    """PAGE_CACHE=0 renders every page, and the roll-ups still come from the data cache
    until a write; SCORECARD_CACHE=0 computes them every time."""
    settings.PAGE_CACHE = False
    url = "/en/deadlines/2022/"
    get(url)
    _, rendered_with_cached_scorecard = get(url)
    settings.SCORECARD_CACHE = False
    _, rendered_and_computed = get(url)
    # The year's scorecard, its milestones' count for the pages, the list of years and
    # the snapshot's state (plans/snapshot.py, `is_fresh`).
    assert rendered_with_cached_scorecard == rendered_and_computed - 4
    settings.SCORECARD_CACHE = True
    make_update(milestone=plan.milestones.get(), as_of=datetime.date(2022, 12, 31), delivered=True)
    response, queries = get(url)
    assert queries == rendered_and_computed
    assert get(url)[1] == rendered_with_cached_scorecard


@committed
def test_home_map_counts_are_kept_with_the_scorecards(plan, settings):
    """The home page's map is a roll-up over every milestone: reused until a write, as
    the national scorecard is."""
    settings.PAGE_CACHE = False
    make_jurisdiction(code="340000", name_en="Fictional Anhui", name_zh_hans="虚构安徽")
    response, computed = get("/en/")
    assert "<title>Fictional Anhui: nothing due yet</title>" in text(response)
    _, reused = get("/en/")
    # The national scorecard, the map's counts, its units and the snapshot's state.
    assert reused == computed - 4
    # The tiles are kept per language: their names and addresses are the page's.
    response, _ = get("/zh-hans/")
    assert "<title>虚构安徽: " in text(response), text(response).split("<title>")[2][:60]
    assert 'href="/zh-hans/jurisdictions/340000/"' in text(response)
    Jurisdiction.objects.filter(code="340000").update(name_en="Fictional Anhui, renamed")
    response, queries = get("/en/")
    assert queries == computed
    assert "<title>Fictional Anhui, renamed: nothing due yet</title>" in text(response)
    make_update(milestone=plan.milestones.get(), as_of=datetime.date(2022, 12, 31), delivered=True)
    assert get("/en/")[1] == computed


@committed
def test_a_jurisdictions_key_cities_are_kept_with_the_scorecards(plan, settings):
    """The cities under a province, with their plan counts: a roll-up reused until a
    write, then counted again."""
    settings.PAGE_CACHE = False
    city = make_jurisdiction(
        code="910100", level="key_city", parent=plan.jurisdiction, name_en="Fictional City"
    )
    make_plan(jurisdiction=city)

    def page():
        """The page, and whether it counted the cities' plans."""
        with CaptureQueriesContext(connection) as queries:
            response = Client().get("/en/jurisdictions/910000/")
        return text(response), any('AS "plan_count"' in q["sql"] for q in queries)

    html, counted = page()
    assert counted and 'Fictional City</a> <span class="meta">(1 plan)</span>' in html
    assert page() == (html, False)
    make_plan(jurisdiction=city)
    html, counted = page()
    assert counted and 'Fictional City</a> <span class="meta">(2 plans)</span>' in html


@committed
@pytest.mark.parametrize(
    "url, count_of, kept",
    [
        # The count, and for plans the snapshot's state (their progress is read from it);
        # the plans page also keeps its filter's jurisdictions.
        ("/api/v1/plans/", lambda body: body["count"], 2),
        ("/api/v1/updates/", lambda body: body["count"], 1),
        ("/en/plans/", None, 3),
    ],
)
def test_a_lists_row_count_is_kept_until_a_write(plan, settings, url, count_of, kept):
    """A numbered list's total (a COUNT over everything its filters select: seconds over
    millions of rows) is reused while the page itself is rendered every time, and is
    right again as soon as a write commits."""
    settings.PAGE_CACHE = False
    _, computed = get(url)
    response, reused = get(url)
    assert reused == computed - kept
    if count_of:
        assert count_of(response.json()) == 1
    make_update(milestone=make_milestone(plan=make_plan(slug="fictional-second-plan")))
    response, queries = get(url)
    assert queries == computed
    if count_of:
        assert count_of(response.json()) == 2
    else:
        assert "fictional-second-plan" in text(response)
    settings.SCORECARD_CACHE = False
    assert get(url)[1] == computed


def test_an_empty_list_is_counted_without_sql(db):
    """`.none()` has no SQL to name its count by: it counts 0 without a key or a query."""
    from govtracker.pagination import DataVersionedPaginator, count_key

    assert count_key(Plan.objects.none()) is None
    with CaptureQueriesContext(connection) as queries:
        assert DataVersionedPaginator(Plan.objects.none().order_by("pk"), 25).count == 0
    assert len(queries) == 0


@committed
def test_the_snapshots_state_is_kept_until_a_write(plan, settings):
    """Whether the status snapshot answers for today is a cached value too (one query
    fewer on every page that shows progress), and a write to the state is seen at once:
    pages then compute statuses live until the snapshot is refreshed."""
    from plans import snapshot
    from plans.models import SnapshotState, today

    settings.PAGE_CACHE = False
    call_command("refresh_status_snapshot", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert snapshot.is_fresh(today())
    with CaptureQueriesContext(connection) as queries:
        assert snapshot.is_fresh(today())
    assert len(queries) == 0
    SnapshotState.objects.update(valid_for=None)
    with CaptureQueriesContext(connection) as queries:
        assert not snapshot.is_fresh(today())
    assert len(queries) == 1
    assert "plans_snapshotstate" in queries[0]["sql"]


def test_a_counts_key_names_its_rows_not_their_columns_or_order(db):
    from govtracker.pagination import count_key
    from plans.models import today

    plans = Plan.objects.all()
    as_of = today()
    same_rows = [
        plans,
        plans.order_by("-issued_on"),
        plans.for_table().with_progress(as_of),
        plans.for_list().with_progress(as_of).order_by("title"),
    ]
    assert len({count_key(queryset) for queryset in same_rows}) == 1
    other_rows = [
        plans.filter(kind="plan"),
        plans.filter(kind="opinion"),
        plans.filter(jurisdiction__code="340000"),
        plans.with_milestone_in_status("missed", as_of),
        plans.with_milestone_in_status("behind", as_of),
        Milestone.objects.all(),
    ]
    keys = {count_key(queryset) for queryset in [plans, *other_rows]}
    assert len(keys) == 1 + len(other_rows)
    # DISTINCT counts distinct selected rows: the columns are part of the question then.
    assert count_key(plans.distinct()) != count_key(plans.values("title").distinct())


@pytest.mark.parametrize("changed", ["jinja2/plans/home.html", "requirements.txt"])
def test_a_deployment_that_changes_only_templates_or_libraries_has_a_new_release(
    settings, tmp_path, changed
):
    for name in ("jinja2/plans/home.html", "requirements.txt", "plans/views.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("before")
    settings.BASE_DIR = tmp_path
    page_cache.release.cache_clear()
    try:
        before = page_cache.release()
        (tmp_path / changed).write_text("after")
        page_cache.release.cache_clear()
        assert page_cache.release() != before
    finally:
        page_cache.release.cache_clear()


def test_the_release_covers_every_folder_pages_are_rendered_from(settings):
    base = Path(settings.BASE_DIR)
    folders = [
        *(folder for engine in settings.TEMPLATES for folder in engine["DIRS"]),
        *settings.LOCALE_PATHS,
        *settings.STATICFILES_DIRS,
    ]
    hashed = {base / name for name in page_cache.RELEASE_PATHS}
    assert {Path(folder) for folder in folders} <= hashed


# --- One version a request (govtracker/cache.py, request_scope) -----------------------


@committed
def test_a_request_reads_the_data_version_once(plan, settings, monkeypatch):
    """The deadline-year page reads four values (its scorecard, its count, the list of
    years, the snapshot's state): one trip to the cache, for the version and the first
    value; the others remembered in the process under that version."""
    settings.PAGE_CACHE = False
    url = "/en/deadlines/2022/"
    get(url)  # the first request of the day also moves the snapshot to today: a write
    get(url)
    calls = {"version_and_entry": 0, "trips": 0}
    version_and_entry = page_cache.version_and_entry

    def counting_version_and_entry(key):
        calls["version_and_entry"] += 1
        return version_and_entry(key)

    def counting(method):
        def trip(*args, **kwargs):
            calls["trips"] += 1
            return method(*args, **kwargs)

        return trip

    monkeypatch.setattr(page_cache, "version_and_entry", counting_version_and_entry)
    for name in ("get", "get_many"):
        monkeypatch.setattr(page_cache.cache, name, counting(getattr(page_cache.cache, name)))
    response, queries = get(url)
    assert response.status_code == 200
    assert calls == {"version_and_entry": 1, "trips": 1}
    # Nothing was computed again: the same queries as a page with every value cached.
    assert get(url)[1] == queries
    assert calls == {"version_and_entry": 2, "trips": 2}


@committed
def test_a_write_committed_during_a_request_is_read_at_the_new_version(plan):
    computed = []

    def compute():
        computed.append(Plan.objects.get(pk=plan.pk).title_en)
        return computed[-1]

    with page_cache.request_scope():
        assert page_cache.cached_data("fictional-title", compute) == "Before"
        assert page_cache.cached_data("fictional-title", compute) == "Before"
        Plan.objects.filter(pk=plan.pk).update(title_en="After")  # commits: bumps
        assert page_cache.cached_data("fictional-title", compute) == "After"
    assert computed == ["Before", "After"]


@committed
def test_a_remembered_value_is_a_copy_for_each_reader(plan):
    with page_cache.request_scope():
        first = page_cache.cached_data("fictional-list", lambda: ["kept"])
        first.append("changed by one reader")
        assert page_cache.cached_data("fictional-list", lambda: ["computed"]) == ["kept"]
    with page_cache.request_scope():
        page_cache.cached_data("fictional-list", lambda: ["computed"]).clear()
        assert page_cache.cached_data("fictional-list", lambda: ["computed"]) == ["kept"]


@committed
def test_another_processes_write_is_seen_by_the_next_request(plan, settings):
    def bump_elsewhere():
        # What another process's commit does: a new version, this process not told.
        path = page_cache._version_file()
        if path is not None:
            page_cache._write_version_file(path)
        else:
            page_cache.cache.incr(page_cache.VERSION_KEY)

    values = iter(["first", "second"])
    with page_cache.request_scope():
        assert page_cache.cached_data("fictional-value", lambda: next(values)) == "first"
        bump_elsewhere()
        # Within the request, the version it began reading at.
        assert page_cache.cached_data("fictional-value", lambda: next(values)) == "first"
    with page_cache.request_scope():
        assert page_cache.cached_data("fictional-value", lambda: next(values)) == "second"
