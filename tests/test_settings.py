"""Settings come from the environment; production refuses to start without a secret."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_settings(**env):
    """Import the settings in a fresh interpreter with exactly `env` (plus PATH)."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='govtracker.settings'; "
        "from django.conf import settings; "
        "print(settings.DATABASES['default']['ENGINE'], settings.DEBUG, settings.LANGUAGE_CODE, "
        "settings.TIME_ZONE, settings.USE_TZ, [c for c, _ in settings.LANGUAGES])"
    )
    clean_env = {"PATH": os.environ.get("PATH", ""), **env}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True
    )


def test_embedded_default_is_sqlite_with_three_languages():
    result = run_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.sqlite3"
    assert "True zh-hant Asia/Shanghai True ['zh-hant', 'zh-hans', 'en']" in result.stdout


def test_database_url_selects_postgresql():
    result = run_settings(DATABASE_URL="postgres://someone@db.invalid:5432/govtracker")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_an_empty_database_url_means_the_embedded_default():
    result = run_settings(DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "django.db.backends.sqlite3"


def test_production_refuses_a_missing_secret_key():
    result = run_settings(DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key():
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 60, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert " False " in result.stdout


def database_options(**env) -> str:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='govtracker.settings'; "
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES['default'].get('OPTIONS', {}).items()))"
    )
    clean_env = {"PATH": os.environ.get("PATH", ""), **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_postgresql_prepares_statements_unless_told_not_to():
    url = "postgres://someone@db.invalid:5432/govtracker"
    assert "('prepare_threshold', 5), ('server_side_binding', True)" in database_options(
        DATABASE_URL=url
    )
    # A pooler in transaction mode without prepared statements (PgBouncer before 1.21).
    options = database_options(DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")
    assert "server_side_binding" not in options and "prepare_threshold" not in options
    assert "jit=off" in options
    # SQLite has no such options.
    assert "server_side_binding" not in database_options()


def test_postgresql_runs_without_memoize_unless_told_to():
    url = "postgres://someone@db.invalid:5432/govtracker"
    assert "('options', '-c jit=off -c enable_memoize=off')" in database_options(DATABASE_URL=url)
    assert "('options', '-c jit=off')" in database_options(DATABASE_URL=url, DB_MEMOIZE="1")


@pytest.mark.django_db
def test_the_connections_settings_reach_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's settings")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('enable_memoize'), current_setting('jit')")
        assert cursor.fetchone() == ("off", "off")


def test_a_statement_timeout_is_set_for_the_web_server_only():
    url = "postgres://someone@db.invalid:5432/govtracker"
    # Management commands (the snapshot's refresh, the synthetic data): no limit.
    assert "statement_timeout" not in database_options(DATABASE_URL=url)
    assert "-c statement_timeout=2500'" in database_options(
        DATABASE_URL=url, DB_STATEMENT_TIMEOUT="2.5"
    )
    assert "statement_timeout" not in database_options(DATABASE_URL=url, DB_STATEMENT_TIMEOUT="0")
    # The WSGI module, which gunicorn imports, sets 20 s unless told otherwise, before the
    # settings are read. (Its warm-up is left out: it would need a database.)
    source = (ROOT / "govtracker" / "wsgi.py").read_text()
    default = source.index('os.environ.setdefault("DB_STATEMENT_TIMEOUT", "20")')
    assert default < source.index("get_wsgi_application()")
