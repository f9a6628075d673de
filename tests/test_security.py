"""Production settings: `check --deploy` is clean, and every response carries the security
headers (CSP without inline script, Referrer-Policy, X-Frame-Options, Permissions-Policy)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-production-like-secret-key-" + "0123456789abcdef" * 3,
    "ALLOWED_HOSTS": "govtracker.example.org",
    "DATABASE_URL": "postgres://govtracker@db.invalid:5432/govtracker",
    "REDIS_URL": "redis://cache.invalid:6379/0",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean_env = {"PATH": os.environ.get("PATH", ""), **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean_env, capture_output=True, text=True
    )


def production_settings(**env: str) -> dict:
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "LANGUAGE_COOKIE_SECURE",
        "LANGUAGE_COOKIE_HTTPONLY",
        "LANGUAGE_COOKIE_SAMESITE",
        "SESSION_COOKIE_HTTPONLY",
        "SECURE_PROXY_SSL_HEADER",
        "STORAGES",
    ]
    code = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE']='govtracker.settings'; "
        "from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}))"
    )
    result = run(["-c", code], **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_check_deploy_is_clean_with_production_variables():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_when_hsts_is_switched_off():
    # The check above could not pass by accident: weakening one setting makes it fail.
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        SECURE_HSTS_SECONDS="0",
    )
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_production_turns_on_https_and_secure_cookies():
    values = production_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    for name in ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE"]:
        assert values[name] is True, name
    assert values["LANGUAGE_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["LANGUAGE_COOKIE_SAMESITE"] == "Lax"
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
    # The proxy header is trusted only when asked for.
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_proxy_ssl_header_is_opt_in():
    values = production_settings(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_development_default_keeps_plain_http():
    values = production_settings(DEBUG="1")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/zh-hant/", "/en/indicators/", "/en/no-such-page/", "/health/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (p.strip() for p in csp.split(";")) if part
    )
    assert directives["default-src"] == "'self'"
    # The nonce is added only to responses whose page used it (django-csp 4).
    assert re.fullmatch(r"'self'( 'nonce-[A-Za-z0-9+/=]+')?", directives["script-src"])
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_https_responses_carry_hsts(client):
    response = client.get("/en/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
@override_settings(
    LANGUAGE_COOKIE_SECURE=True, LANGUAGE_COOKIE_HTTPONLY=True, LANGUAGE_COOKIE_SAMESITE="Lax"
)
def test_language_cookie_is_secure_httponly_and_same_site(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"}, secure=True)
    cookie = response.cookies["django_language"]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"


def test_no_template_has_an_inline_script_without_the_nonce():
    """The CSP refuses inline scripts; one that must exist carries nonce="{{ CSP_NONCE }}"."""
    offenders = []
    templates = [
        *ROOT.glob("jinja2/**/*.html"),
        *ROOT.glob("templates/**/*.html"),
        *ROOT.glob("*/templates/**/*.html"),
    ]
    assert templates
    for template in templates:
        if ".venv" in template.parts:
            continue
        for tag in re.findall(r"<script\b[^>]*>", template.read_text()):
            if "src=" not in tag and "CSP_NONCE" not in tag and "json" not in tag:
                offenders.append(f"{template.relative_to(ROOT)}: {tag}")
        if re.search(r"\son[a-z]+\s*=", template.read_text()):
            offenders.append(f"{template.relative_to(ROOT)}: inline event handler")
    assert not offenders


@pytest.mark.parametrize("engine", ["jinja2", "django"])
def test_a_page_that_uses_the_nonce_gets_it_in_its_policy(rf, engine):
    """Both template engines (public pages, admin) get the nonce from the context processor."""
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines[engine].from_string('<script nonce="{{ CSP_NONCE }}">1</script>')

    def view(request):
        return HttpResponse(template.render(request=request))

    response = CSPMiddleware(view)(rf.get("/"))
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_security_txt_names_the_contact_when_one_is_configured(client):
    with override_settings(SECURITY_CONTACT=""):
        assert client.get("/.well-known/security.txt").status_code == 404
    with override_settings(SECURITY_CONTACT="mailto:security@example.org"):
        response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Contact: mailto:security@example.org\n" in body
    assert re.search(r"^Expires: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", body, re.M)
