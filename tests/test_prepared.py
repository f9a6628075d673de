"""Prepared queries (govtracker/prepared.py): a QuerySet built and compiled once per key,
run again with new values, reads the rows its QuerySet reads; and the pages and API reads
that use them answer byte for byte what they answer without them.

Transactional tests: a test's writes are committed, as a site's are, so the prepared path
is taken (inside a transaction that has written it steps aside, as the cache does)."""

import threading

import pytest
from django.db import connection, transaction
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from govtracker import prepared
from govtracker.pagination import DataVersionedPaginator
from govtracker.prepared import PreparedQuery, PreparedQueryMismatch
from plans.models import Jurisdiction, Plan, ProgressUpdate
from tests.factories import (
    make_editor,
    make_jurisdiction,
    make_milestone,
    make_plan,
    make_source,
    make_update,
)

committed = pytest.mark.django_db(transaction=True)


class Counted:
    """A build function that counts how often it is called."""

    def __init__(self, build):
        self.build = build
        self.calls = 0

    def __call__(self, *values, **shape):
        self.calls += 1
        return self.build(*values, **shape)


@pytest.fixture
def provinces(db):
    return [
        make_jurisdiction(code=f"9{n}0000", name_en=f"Fictional Province {n}") for n in range(3)
    ]


@pytest.fixture
def unchecked(settings):
    """Calls counted without the tests' check, which builds the QuerySet on every run."""
    settings.PREPARED_QUERIES_CHECK = False


def by_code():
    return PreparedQuery(
        "test-by-code",
        Counted(lambda code: Jurisdiction.objects.filter(code=code).order_by("pk")),
    )


@committed
def test_the_second_call_prepares_and_later_calls_only_run(provinces, unchecked):
    query = by_code()
    first = query.rows("900000")  # run as usual, the key noted
    assert query.build.calls == 1
    second = query.rows("910000")  # built twice: real values and stand-ins
    assert query.build.calls == 3
    third = query.rows("920000")
    fourth = query.rows("nothing")
    assert query.build.calls == 3  # no build since
    assert [first, second, third, fourth] == [[provinces[0]], [provinces[1]], [provinces[2]], []]
    assert third[0].name_en == "Fictional Province 2"


@committed
def test_rows_keep_select_related_annotations_and_prefetches(provinces):
    plan = make_plan(jurisdiction=provinces[1], slug="fictional-prepared")
    plan.sources.add(make_source(), make_source())
    make_milestone(plan=plan)
    query = PreparedQuery(
        "test-plans",
        lambda slug: (
            Plan.objects.for_list()
            .select_related("jurisdiction")
            .with_source_list()
            .filter(slug=slug)
        ),
    )
    sources = list(plan.sources.all())
    assert sources
    for _ in range(3):
        rows = query.rows("fictional-prepared")
    (row,) = rows
    with CaptureQueriesContext(connection) as queries:
        assert row.jurisdiction.code == "910000"
        assert row.milestone_count == 1
        assert row.source_list == sources
    assert len(queries) == 0


@committed
def test_a_value_used_twice_fills_both_places(provinces):
    city = make_jurisdiction(code="910100", level="prefecture", parent=provinces[1])
    query = PreparedQuery(
        "test-within",
        lambda pk: Jurisdiction.objects.filter(Q(pk=pk) | Q(parent=pk)).order_by("code"),
    )
    query.rows(provinces[0].pk)
    query.rows(provinces[0].pk)
    assert query.rows(provinces[1].pk) == [provinces[1], city]


@committed
def test_a_transformed_value_is_not_prepared_and_still_answers(provinces, unchecked):
    query = PreparedQuery(
        "test-contains",
        Counted(lambda text: Jurisdiction.objects.filter(name_en__icontains=text).order_by("pk")),
    )
    for _ in range(3):
        assert query.rows("province 1") == [provinces[1]]
    assert query.build.calls == 4  # once, twice to try, then as usual
    assert prepared.NOT_PREPARABLE in query._statements.values.values()


@committed
def test_a_value_that_chooses_the_form_fails_the_check(provinces):
    def build(code):
        plain = Jurisdiction.objects.filter(code=code)
        return plain.filter(level="provincial") if code == "900000" else plain

    query = PreparedQuery("test-form", build)
    query.rows("910000")
    query.rows("910000")  # prepared with the plain form
    with pytest.raises(PreparedQueryMismatch):
        query.rows("900000")


@committed
def test_the_shape_is_part_of_the_key(provinces):
    query = PreparedQuery(
        "test-shape",
        lambda code, *, level: Jurisdiction.objects.filter(code=code, level=level),
    )
    for _ in range(3):
        assert query.rows("900000", level="provincial") == [provinces[0]]
        assert query.rows("900000", level="national") == []


@committed
def test_literal_constants_are_quoted(provinces):
    """`literal=True`: on PostgreSQL the constants are written into the SQL, quoted."""
    name = "Fictional's 100% Province, \\ 2"
    make_jurisdiction(code="950000", name_en=name)
    query = PreparedQuery(
        "test-literal",
        lambda *, name: Jurisdiction.objects.filter(name_en=name).order_by("code"),
        literal=True,
    )
    for _ in range(3):
        assert [j.code for j in query.rows(name=name)] == ["950000"]
        assert query.rows(name="Fictional Province 1") == [provinces[1]]
    statements = [
        s for s in query._statements.values.values() if isinstance(s, prepared._Statement)
    ]
    assert len(statements) == 2
    if connection.vendor == "postgresql":
        assert all(s.literal_sql and "%s" not in s.literal_sql for s in statements)
    else:
        assert all(s.literal_sql is None for s in statements)


@committed
def test_filtered_lists_write_their_filters_values_into_their_sql(provinces, settings):
    """The plans page's and the API's filtered lists (PLAN_LIST_ROWS, filtered_list): each
    address its own statement text on PostgreSQL. As parameters, every `?level=` shared
    one server-side statement, which PostgreSQL came to plan once for any level: at
    national scale a level with no plan walked all 60,004 of them."""
    from plans.views import PLAN_LIST_ROWS
    from plans.viewsets import PlanViewSet

    settings.PAGE_CACHE = False  # every request rendered
    make_plan(jurisdiction=provinces[0], slug="fictional-provincial-plan")
    make_plan(jurisdiction=make_jurisdiction(code="CN", level="national"), slug="fictional-cn")
    client = Client()
    for _ in range(3):
        for level in ("provincial", "national"):
            assert client.get(f"/api/v1/plans/?level={level}").status_code == 200
            assert client.get(f"/en/plans/?level={level}").status_code == 200
    for query in (PLAN_LIST_ROWS, PlanViewSet.filtered_list):
        assert query.literal
        statements = [
            s for s in query._statements.values.values() if isinstance(s, prepared._Statement)
        ]
        assert statements, query
        if connection.vendor == "postgresql":
            texts = {s.literal_sql for s in statements}
            assert None not in texts and len(texts) == len(statements)
            assert any("'national'" in text for text in texts)


@committed
def test_a_committed_write_prepares_anew(provinces, unchecked):
    query = by_code()
    for _ in range(3):
        query.rows("900000")
    calls = query.build.calls
    make_jurisdiction(code="930000")  # committed: the data version moves on
    assert query.rows("930000")[0].code == "930000"
    assert query.build.calls == calls + 1


@committed
def test_inside_a_transaction_that_wrote_every_call_builds(provinces, unchecked):
    query = by_code()
    for _ in range(3):
        query.rows("900000")
    calls = query.build.calls
    with transaction.atomic():
        make_jurisdiction(code="940000")
        assert query.rows("940000")[0].code == "940000"
        assert query.rows("940000")[0].code == "940000"
        transaction.set_rollback(True)
    assert query.build.calls == calls + 2
    assert query.rows("940000") == []


@committed
def test_turned_off_every_call_builds(provinces, unchecked, settings):
    settings.PREPARED_QUERIES = False
    query = by_code()
    for _ in range(3):
        assert query.rows("900000") == [provinces[0]]
    assert query.build.calls == 3


@committed
def test_without_a_data_version_every_call_builds(provinces, unchecked, monkeypatch):
    """Redis unreachable: the version cannot be read, the page is still answered."""

    def down():
        raise ConnectionError("fictional outage")

    monkeypatch.setattr(prepared, "request_data_version", down)
    query = by_code()
    for _ in range(3):
        assert query.rows("900000") == [provinces[0]]
    assert query.build.calls == 3
    assert Client().get("/en/jurisdictions/900000/").status_code == 200


@committed
def test_a_setting_change_forgets_every_statement(provinces, settings):
    query = by_code()
    for _ in range(3):
        query.rows("900000")
    assert len(query._statements) == 1
    settings.PROGRESS_TOLERANCE = "0.2"
    assert len(query._statements) == 0


@committed
def test_a_statement_runs_on_the_calling_threads_connection(provinces):
    query = by_code()
    for _ in range(3):
        query.rows("900000")
    found = {}

    def read():
        try:
            found["rows"] = query.rows("910000")
            found["alias"] = connection.alias
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert found["rows"] == [provinces[1]]


@committed
def test_converters_are_worked_out_once_per_connection(provinces, unchecked, monkeypatch):
    """A statement's later runs reuse its columns' converters (a date's and a timestamp's
    on SQLite) on the same connection, and work them out anew on another thread's."""
    from django.db.models.sql.compiler import SQLCompiler

    calls = []
    original = SQLCompiler.get_converters

    def counted(self, expressions):
        calls.append(threading.get_ident())
        return original(self, expressions)

    plans = [make_plan(jurisdiction=province) for province in provinces]
    monkeypatch.setattr(SQLCompiler, "get_converters", counted)
    query = PreparedQuery("test-plan-by-slug", lambda slug: Plan.objects.filter(slug=slug))
    query.rows(plans[0].slug)  # built as usual
    query.rows(plans[0].slug)  # prepared, and its first run
    assert len(calls) == 2
    later = [query.rows(plan.slug)[0] for plan in plans]
    assert len(calls) == 2  # the prepared statement's converters, kept
    assert [(row.issued_on, row.created) for row in later] == [
        (plan.issued_on, plan.created) for plan in plans
    ]
    found = {}

    def read():
        try:
            found["rows"] = query.rows(plans[1].slug)
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()
    assert found["rows"] == [plans[1]] and found["rows"][0].created == plans[1].created
    assert len(calls) == 3 and calls[-1] != calls[0]  # worked out for that connection


@committed
def test_a_stand_in_sent_as_a_value_is_never_kept_as_a_constant(provinces, unchecked):
    query = by_code()
    stand_in = prepared._stand_ins(("900000",))[0]
    for _ in range(3):
        assert query.rows(stand_in) == []
    assert not any(isinstance(s, prepared._Statement) for s in query._statements.values.values())
    for _ in range(2):
        query.rows("900000")
    assert query.rows("910000") == [provinces[1]]


def test_a_value_must_not_be_a_shape():
    query = by_code()
    with pytest.raises(TypeError):
        prepared._stand_ins((None,))
    with pytest.raises(TypeError):
        prepared._stand_ins((True,))
    with pytest.raises(TypeError):
        prepared._stand_ins((1.5,))
    assert query.name == "test-by-code"


@committed
def test_pages_of_prepared_rows_match_the_querysets(provinces):
    for n in range(7):
        make_plan(jurisdiction=provinces[n % 2], slug=f"fictional-page-{n}")
    query = PreparedQuery(
        "test-pages",
        lambda jurisdiction_id: Plan.objects.filter(jurisdiction=jurisdiction_id).order_by("slug"),
    )
    plain = list(Plan.objects.filter(jurisdiction=provinces[0]).order_by("slug"))
    for _ in range(3):
        paginator = DataVersionedPaginator(query.list(provinces[0].pk), 3)
        assert paginator.count == 4
        assert [list(paginator.page(n).object_list) for n in (1, 2)] == [plain[:3], plain[3:]]


@committed
def test_an_editors_list_of_updates_is_never_the_publics(provinces, settings):
    """The API's updates list is prepared for anonymous readers only: an editor's holds
    their drafts."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    settings.PAGE_CACHE = False
    milestone = make_milestone(plan=make_plan(jurisdiction=provinces[0]))
    published = make_update(milestone=milestone)
    draft = make_update(milestone=milestone, published_on=None)
    filtered = f"/api/v1/updates/?milestone={milestone.pk}"
    for _ in range(3):
        for url in ("/api/v1/updates/", filtered):
            ids = [row["id"] for row in Client().get(url).json()["results"]]
            assert ids == [published.pk]
    editor = make_editor(provinces[0])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    for _ in range(3):
        for url in ("/api/v1/updates/", filtered):
            ids = {row["id"] for row in client.get(url).json()["results"]}
            assert ids == {published.pk, draft.pk}
    for _ in range(3):
        assert Client().get(f"/api/v1/updates/{published.pk}/").status_code == 200
        assert Client().get(f"/api/v1/updates/{draft.pk}/").status_code == 404
        assert client.get(f"/api/v1/updates/{draft.pk}/").status_code == 200


# --- The pages -----------------------------------------------------------------------


def addresses() -> list[str]:
    plan = Plan.objects.filter(slug__startswith="fictional").order_by("pk").first()
    milestone = plan.milestones.order_by("pk").first()
    update = ProgressUpdate.objects.published().filter(milestone__plan=plan).first()
    province = plan.jurisdiction
    urls = []
    for language in ("zh-hant", "zh-hans", "en"):
        urls += [
            f"/{language}/",
            f"/{language}/plans/{plan.slug}/",
            f"/{language}/plans/{plan.slug}/?as_of=2022-12-31",
            f"/{language}/plans/anhui-digital-government-2020-2025/",
            f"/{language}/plans/no-such-plan/",
            f"/{language}/plans/?status=missed",
            f"/{language}/plans/?jurisdiction={province.code}&page=2",
            f"/{language}/plans/?q=fictional&o=-title",
            f"/{language}/jurisdictions/{province.code}/",
            f"/{language}/jurisdictions/{province.code}/?page=2",
            f"/{language}/jurisdictions/CN/",
            f"/{language}/jurisdictions/NOPE/",
            f"/{language}/deadlines/2023/",
            f"/{language}/deadlines/2023/?page=2&status=missed",
            f"/{language}/deadlines/2022/?as_of=2022-06-30",
            f"/{language}/indicators/fictional-one-stop-share/",
            f"/{language}/indicators/fictional-one-stop-share/?jurisdiction={province.code}",
            f"/{language}/indicators/no-such/",
            f"/{language}/plans/{plan.slug}/updates/",
            f"/{language}/plans/{plan.slug}/updates/?page=2&as_of=2025-12-31",
            f"/{language}/plans/no-such-plan/updates/",
        ]
    urls += [
        "/api/v1/plans/",
        "/api/v1/plans/?page=2&page_size=7",
        "/api/v1/plans/?as_of=2022-12-31",
        f"/api/v1/plans/{plan.slug}/",
        f"/api/v1/plans/{plan.slug}/?as_of=2022-12-31",
        "/api/v1/plans/no-such-plan/",
        "/api/v1/milestones/",
        "/api/v1/milestones/?page=3&as_of=2023-06-30",
        "/api/v1/updates/",
        "/api/v1/updates/?page=4",
        f"/api/v1/milestones/{milestone.pk}/",
        f"/api/v1/milestones/{milestone.pk}/?as_of=2023-06-30",
        "/api/v1/milestones/99999999999999999999/",
        "/api/v1/milestones/0/",
        f"/api/v1/updates/{update.pk}/",
        "/api/v1/updates/99999999999999999999/",
        # Filtered and sorted lists (each address its own statement), and bad filters.
        f"/api/v1/plans/?jurisdiction={province.code}",
        f"/api/v1/plans/?jurisdiction={province.code}&page=2&page_size=3",
        "/api/v1/plans/?status=missed&ordering=title",
        "/api/v1/plans/?level=provincial&as_of=2022-12-31",
        "/api/v1/plans/?ordering=-end_year,title&format=json",
        "/api/v1/plans/?status=nope",
        "/api/v1/plans/?ordering=nope",
        "/api/v1/plans/?jurisdiction=",
        "/api/v1/plans/?jurisdiction=FX01&as_of=2022-02-30",
        f"/api/v1/milestones/?plan={plan.slug}",
        "/api/v1/milestones/?status=achieved&deadline_year=2023&as_of=2023-06-30",
        "/api/v1/milestones/?top_level=maybe",
        f"/api/v1/updates/?plan={plan.slug}",
        f"/api/v1/updates/?milestone={update.milestone_id}&ordering=published_on",
        "/api/v1/updates/?delivered=true&page=2&page_size=2",
    ]
    return urls


@committed
def test_pages_with_prepared_queries_answer_as_without(small_national, settings):
    urls = addresses()
    client = Client()
    settings.PAGE_CACHE = False  # every request rendered
    settings.API_ANON_RATE = ""  # four times every API address, past the anonymous rate
    settings.PREPARED_QUERIES = False
    plain = {url: client.get(url) for url in urls}
    settings.PREPARED_QUERIES = True
    # The first request runs each query as usual, the second prepares it, the third runs
    # what was prepared (and, in the tests, checks it against the QuerySet).
    for attempt in range(3):
        for url in urls:
            response = client.get(url)
            assert response.status_code == plain[url].status_code, url
            assert response.content == plain[url].content, (url, attempt)
    used = {query.name: query for query in prepared._registry}
    for name in (
        "plan-page-plan",
        "plan-milestones",
        "plan-timeline-shown",
        "plan-update-log",
        "home-upcoming",
        "home-passed",
        "home-updates",
        "plan-list",
        "jurisdiction-by-code",
        "jurisdiction-plans",
        "jurisdiction-updates",
        "deadline-year",
        "indicator-by-slug",
        "indicator-jurisdiction",
        "indicator-chart-series",
        "indicator-chart-targets",
        "api-plans",
        "api-plan",
        "api-milestones",
        "api-updates",
        "api-milestone",
        "api-update",
        "plan-by-slug",
        "plan-timeline",
        "api-plans-filtered",
        "api-milestones-filtered",
        "api-updates-filtered",
    ):
        statements = list(used[name]._statements.values.values())
        # Each was prepared for some key, none fell back to building every time.
        assert any(isinstance(s, prepared._Statement) for s in statements), name
        assert prepared.NOT_PREPARABLE not in statements, name


@committed
def test_keys_first_pages_match_the_querysets(provinces):
    """A list with page_rows: each page is its rows whose keys the list's own query picks
    (a LIMIT inside the IN subquery), in the list's order, ties on the date broken by id
    as the plain slice breaks them; the rows joined as page_rows joins them."""
    import datetime

    for n in range(7):
        make_plan(
            jurisdiction=provinces[n % 3],
            slug=f"fictional-keys-{n}",
            issued_on=datetime.date(2021, 1 + n % 2, 1),
        )

    def plans_of(jurisdiction_id):
        return Plan.objects.filter(
            jurisdiction__in=Jurisdiction.objects.filter(pk__in=[jurisdiction_id, provinces[1].pk])
        ).order_by("-issued_on", "id")

    query = PreparedQuery(
        "test-keys-first",
        plans_of,
        page_rows=lambda: Plan.objects.select_related("jurisdiction"),
    )
    plain = list(plans_of(provinces[0].pk))
    assert len(plain) == 5 and len({plan.issued_on for plan in plain}) == 2
    for _ in range(3):  # built, prepared, run prepared
        paginator = DataVersionedPaginator(query.list(provinces[0].pk), 2)
        assert paginator.count == 5  # counted before the pages are read
        pages = []
        for number in (1, 2, 3):
            with CaptureQueriesContext(connection) as queries:
                rows = list(paginator.page(number).object_list)
                assert [row.jurisdiction.code for row in rows]  # joined: no query per row
            assert len(queries) == 1
            assert "LIMIT 2" in queries[0]["sql"].split(" IN (", 1)[1]
            pages.append(rows)
        assert pages == [plain[:2], plain[2:4], plain[4:]]


def test_a_list_with_its_own_count_is_counted_by_it(provinces):
    """PreparedQuery(count=...): the paginator's count is that QuerySet's (the deadline-year
    page counts by the milestone's own deadline while its rows are read in the snapshot's
    order); the pages are the list's own."""
    for n in range(5):
        make_plan(jurisdiction=provinces[0], slug=f"fictional-counted-{n}")
    counted = []

    def count(jurisdiction_id):
        counted.append(jurisdiction_id)
        return Plan.objects.filter(jurisdiction=jurisdiction_id)

    query = PreparedQuery(
        "test-own-count",
        lambda jurisdiction_id: Plan.objects.filter(jurisdiction=jurisdiction_id).order_by("slug"),
        count=count,
    )
    paginator = DataVersionedPaginator(query.list(provinces[0].pk), 2)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 5
    assert counted == [provinces[0].pk]
    assert "ORDER BY" not in queries[-1]["sql"] and "COUNT(" in queries[-1]["sql"]
    assert [p.slug for p in paginator.page(3).object_list] == ["fictional-counted-4"]


def test_parameters_shape_is_one_key_per_address_whatever_the_order():
    from django.http import QueryDict

    from govtracker.prepared import parameters_shape

    one = QueryDict("status=missed&kind=plan&page=2&kind=programme")
    other = QueryDict("page=3&kind=plan&kind=programme&status=missed")
    expected = (("kind", ("plan", "programme")), ("status", ("missed",)))
    assert parameters_shape(one, {"page"}) == parameters_shape(other, {"page"}) == expected
    assert parameters_shape(one)[1] == ("page", ("2",))
