import pytest

from plans.services import source_data_load


@pytest.fixture
def source_data(db):
    """The shipped source data: 65 jurisdictions, 4 plans, 11 milestones, 7 observations."""
    source_data_load()


@pytest.fixture
def small_national(db):
    """The source data and the synthetic data's small scale: every model has rows."""
    from django.core.management import call_command

    source_data_load()
    call_command(
        "generate_synthetic_data", "--scale", "small", "--no-progress",
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )  # fmt: skip


@pytest.fixture(autouse=True, scope="session")
def _own_page_cache_version(tmp_path_factory):
    """The page cache's data version file (local-memory cache) of this test process alone:
    another test run, or another xdist worker, never makes this one's pages stale."""
    from django.conf import settings

    settings.PAGE_CACHE_VERSION_FILE = str(tmp_path_factory.mktemp("page-cache") / "version")


@pytest.fixture(autouse=True, scope="session")
def _check_prepared_queries():
    """Every run of a prepared query (govtracker/prepared.py) is compared with its QuerySet
    built and compiled afresh: a value that changed the query's form fails the test."""
    from django.conf import settings

    settings.PREPARED_QUERIES_CHECK = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttling counts requests in the cache: each test starts with none counted."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language. A request leaves its language
    active in the thread (LocaleMiddleware activates, nothing deactivates), so without this
    a test's reverse() would follow the language of the test before it: an admin address
    reversed after an English page was /en/admin/…, and the admin answered in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _axes_off_unless_asked(request, settings):
    """django-axes needs the request in every authenticate() call, which the test client's
    login() does not pass; tests of the lockout itself enable it with the `axes` marker."""
    settings.AXES_ENABLED = request.node.get_closest_marker("axes") is not None


@pytest.fixture
def frozen_today():
    """Today is 2023-06-30 in Asia/Shanghai: the fictional plans' 2022 deadlines have
    passed and their 2024 ones have not."""
    import datetime
    import zoneinfo

    import time_machine

    moment = datetime.datetime(2023, 6, 30, 12, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        yield moment.date()
