"""The public site in a real browser: Debian's Chromium driven by Playwright.

Every page is opened in each language and checked by axe-core (no serious or critical
violation); a filter is used, links are followed, the language is switched, the pages
are used with JavaScript off and printed. Screenshots go to test-artifacts/ (git-ignored).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
]

# Playwright's sync API runs an event loop; Django refuses database access from a thread
# with a running loop unless told that this is intended (the test thread only sets up data).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

LANGUAGES = ["zh-hant", "zh-hans", "en"]
PAGES = [
    ("home", "/"),
    ("plans", "/plans/"),
    ("plans-filtered", "/plans/?kind=programme&o=-issued"),
    ("plan", "/plans/fictional-browser-plan/"),
    ("plan-as-of", "/plans/fictional-browser-plan/?as_of=2022-05-31"),
    ("plan-updates", "/plans/fictional-browser-plan/updates/"),
    ("plan-real", "/plans/anhui-digital-government-2020-2025/"),
    ("jurisdiction", "/jurisdictions/440000/"),
    ("deadlines", "/deadlines/"),
    ("deadline-year", "/deadlines/2022/"),
    ("indicators", "/indicators/"),
    ("indicator", "/indicators/provincial-data-agencies/"),
    ("about", "/about/"),
    ("not-found", "/plans/no-such-plan/"),
    ("bad-request", "/plans/?status=bogus"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def site(live_server, source_data):
    """The shipped source data plus one fictional plan with sourced updates."""
    from tests.factories import make_jurisdiction, make_tracked_plan

    province = make_jurisdiction(name_zh_hant="虛構省", name_en="Fictional Province")
    make_tracked_plan(jurisdiction=province, slug="fictional-browser-plan")
    ARTIFACTS.mkdir(exist_ok=True)
    return live_server.url


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_opens_and_passes_axe(browser, site, language):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    problems = {}
    for name, path in PAGES:
        response = page.goto(f"{site}/{language}{path}")
        expected = {"not-found": 404, "bad-request": 400}.get(name, 200)
        assert response.status == expected, path
        assert page.locator("h1").count() == 1, path
        assert page.locator("html").get_attribute("lang") in {"zh-Hant", "zh-Hans", "en"}
        page.screenshot(path=ARTIFACTS / f"{language}-{name}-1280.png", full_page=True)
        violations = serious_violations(page)
        if violations:
            problems[path] = violations
    context.close()
    assert problems == {}


@pytest.mark.parametrize("name,path", [("home", "/"), ("plans", "/plans/"), ("plan", PAGES[3][1])])
def test_pages_fit_a_phone_screen(browser, site, name, path):
    context = browser.new_context(viewport={"width": 375, "height": 812}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{site}/zh-hant{path}")
    page.screenshot(path=ARTIFACTS / f"zh-hant-{name}-375.png", full_page=True)
    # Nothing wider than the screen forces the whole page to scroll sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    assert serious_violations(page) == []
    context.close()


def test_filter_follow_links_and_switch_language(browser, site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{site}/en/plans/")
    page.select_option("#id_kind", "work_points")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "kind=work_points" in page.url
    rows = page.locator(".plans-table tbody tr")
    assert rows.count() == 1
    page.get_by_role("link", name="Guangdong Province 2021 Work Points").click()
    assert page.url.endswith("/en/plans/guangdong-digital-government-2021/")
    # The source data reports no progress: every milestone says so.
    assert page.locator(".milestone .progress-none").count() == 3
    page.locator(".breadcrumb").get_by_role("link", name="Guangdong").click()
    assert page.url.endswith("/en/jurisdictions/440000/")
    assert page.locator("h1").inner_text() == "Guangdong"
    page.get_by_role("link", name="简体中文").click()
    assert page.url.endswith("/zh-hans/jurisdictions/440000/")
    assert page.locator("h1").inner_text() == "广东省"
    page.get_by_role("link", name="深圳市").click()
    assert page.url.endswith("/zh-hans/jurisdictions/440300/")
    context.close()


def test_progress_bars_are_drawn_to_their_figures(browser, site):
    """Each bar is filled to the progress reported and marked at the progress expected,
    as the browser lays it out under the site's Content-Security-Policy (which ignores
    inline styles: bars drawn with them showed every bar full and every marker at 0)."""
    import re

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    response = page.goto(f"{site}/en/plans/fictional-browser-plan/")
    assert "style-src 'self'" in response.headers["content-security-policy"]
    bars = page.locator(".milestone .progress:not(.progress-none)")
    assert bars.count() >= 2
    figures = set()
    for index in range(bars.count()):
        bar = bars.nth(index)
        legend = bar.locator(".progress-legend").inner_text()
        reported, expected = (int(n) for n in re.findall(r"(\d+)%", legend)[:2])
        track = bar.locator(".progress-track").bounding_box()
        fill = bar.locator(".progress-fill").bounding_box()
        marker = bar.locator(".progress-expected").bounding_box()
        assert fill["width"] / track["width"] == pytest.approx(reported / 100, abs=0.02)
        centre = marker["x"] + marker["width"] / 2 - track["x"]
        assert centre / track["width"] == pytest.approx(expected / 100, abs=0.02)
        figures.add((reported, expected))
    assert len(figures) >= 2  # not one figure drawn everywhere
    page.screenshot(path=ARTIFACTS / "plan-progress-bars.png", full_page=True)
    context.close()


@pytest.mark.parametrize("width", [1280, 700, 375])
def test_national_counts_fit_their_scorecard_boxes(browser, site, width):
    """At national scale a status counts six digits or more (240,418 achieved in the
    synthetic data): each count, and its label, stays inside its box. The boxes are drawn
    here with seven-digit counts written in, in every language's longest labels."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for language in LANGUAGES:
        page.goto(f"{site}/{language}/")
        page.evaluate(
            "document.querySelectorAll('.scorecard-item .count')"
            ".forEach(count => { count.textContent = '1000000'; })"
        )
        items = page.locator(".scorecard-item")
        assert items.count() == 8
        for index in range(items.count()):
            item = items.nth(index).bounding_box()
            for part in (".count", ".badge"):
                box = items.nth(index).locator(part).bounding_box()
                assert item["x"] <= box["x"], (language, index, part)
                assert box["x"] + box["width"] <= item["x"] + item["width"], (
                    language,
                    index,
                    part,
                )
        page.screenshot(path=ARTIFACTS / f"{language}-scorecard-{width}.png")
    context.close()


def test_pages_work_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{site}/zh-hant/plans/fictional-browser-plan/")
    page.fill("#as_of", "2022-05-31")
    page.locator(".as-of-form button").click()
    page.wait_for_load_state()
    assert "as_of=2022-05-31" in page.url
    assert page.locator(".milestone .status-no_report").count() == 4
    page.goto(f"{site}/en/plans/")
    page.fill("#id_q", "Guangdong")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert page.locator(".plans-table tbody tr").count() == 1
    context.close()


def test_plan_page_prints_without_navigation(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site}/en/plans/fictional-browser-plan/")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".as-of-form").is_hidden()
    assert page.locator(".milestone").first.is_visible()
    page.screenshot(path=ARTIFACTS / "en-plan-print.png", full_page=True)
    page.pdf(path=ARTIFACTS / "en-plan-print.pdf")
    context.close()
