"""Custom 400, 403, 404 and 500 pages: in the visitor's language, with no internals."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext

import govtracker.urls

SECRET = "internal-detail-8f3a"  # must never reach a visitor


def fail(request, status):
    errors = {
        400: SuspiciousOperation,
        403: PermissionDenied,
        404: Http404,
        500: RuntimeError,
    }
    raise errors[status](f"{SECRET} at /srv/govtracker/settings.py, password=hunter2")


# This module is the URLconf of its tests: the site plus views that fail on purpose.
urlpatterns = list(govtracker.urls.urlpatterns) + i18n_patterns(path("fail/<int:status>/", fail))

HTML_LANG = {"zh-hant": "zh-Hant", "zh-hans": "zh-Hans", "en": "en"}
HEADINGS = {400: "Bad request", 403: "Access denied", 404: "Page not found", 500: "Server error"}

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def assert_error_page(response, status: int, language: str, heading: str) -> None:
    assert response.status_code == status
    body = response.content.decode()
    assert f'<html lang="{HTML_LANG[language]}">' in body
    with translation.override(language):
        assert gettext(heading) in body
        assert gettext("Go to the list of plans") in body
    # No internals: no exception text, no paths, no traceback, no framework banner.
    for leak in [SECRET, "hunter2", "settings.py", "Traceback", "Django", "DEBUG"]:
        assert leak not in body, leak


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_error_pages_in_each_language(language, status):
    client = Client(raise_request_exception=False)
    response = client.get(f"/{language}/fail/{status}/")
    assert_error_page(response, status, language, HEADINGS[status])


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_unknown_address_is_the_404_page(client, language):
    response = client.get(f"/{language}/no/such/page/")
    assert_error_page(response, 404, language, "Page not found")


def test_unknown_host_is_the_400_page():
    response = Client().get("/en/", HTTP_HOST="attacker.example")
    assert_error_page(response, 400, "en", "Bad request")


@pytest.mark.parametrize("language", ["zh-hant", "zh-hans", "en"])
def test_form_without_csrf_token_is_the_expired_form_page(language):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{language}/admin/login/", {"username": "x", "password": "y"})
    assert_error_page(response, 403, language, "Form expired")


def test_server_error_page_needs_no_database(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/en/fail/500/")
    assert response.status_code == 500
