"""The template tags that draw a status badge and a progress bar once per row, and the
|iso date filter: what the included templates they replace printed."""

import datetime
import zoneinfo

from django.template import engines
from django.utils import translation

from plans.templatetags.site_tags import iso, progress_bar, status_badge


def render(source: str, **context) -> str:
    return engines["django"].from_string("{% load site_tags %}" + source).render(context)


def test_a_progress_bar_shows_reported_and_expected_progress():
    with translation.override("en"):
        html = progress_bar(0.456, 0.7)
    assert '<div class="progress">' in html
    assert 'class="progress-fill pw-46"' in html and 'class="progress-expected pe-70"' in html
    # No inline style: the Content-Security-Policy makes browsers ignore them.
    assert "style=" not in html
    assert 'aria-label="46% reported, 70% expected by now"' in html
    assert "<strong>46%</strong> reported · 70% expected by now" in html


def test_nothing_reported_is_not_drawn_as_zero():
    with translation.override("en"):
        html = progress_bar(None)
        zero = progress_bar(0)
    assert "progress-none" in html and "progress-fill" not in html
    assert "No progress reported" in html and "expected" not in html
    assert "progress-none" not in zero and 'class="progress-fill pw-0"' in zero


def test_the_bar_speaks_the_visitors_language():
    with translation.override("zh-hant"):
        html = render("{% progress_bar p e %}", p=None, e=1)
    assert "尚無進展報告" in html and "100%" in html


def test_a_badge_is_labelled_and_escapes_what_it_is_given():
    with translation.override("en"):
        assert ">missed</span>" in status_badge("missed")
        assert 'status-missed"' in render("{% status_badge s %}", s="missed")
    assert "&lt;b&gt;" in status_badge("missed", "<b>")


def test_iso_prints_dates_and_datetimes_in_the_sites_time_zone():
    assert iso(datetime.date(2022, 12, 31)) == "2022-12-31"
    # 20:00 UTC on the 31st is already 1 January in Shanghai.
    utc = datetime.datetime(2022, 12, 31, 20, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert iso(utc) == "2023-01-01"
    assert iso(None) == "" and render("{{ d|iso }}", d=None) == ""


def test_a_badge_follows_the_language_it_is_drawn_in():
    # Badges are kept once drawn: the key must include the label, not only the status.
    with translation.override("en"):
        english = status_badge("missed")
    with translation.override("zh-hant"):
        chinese = status_badge("missed")
    assert english != chinese and ">missed</span>" in english


def test_each_pages_address_in_another_language_is_worked_out_once(client, monkeypatch):
    from govtracker.memo import Remembered
    from plans.templatetags import site_tags

    calls = []
    original = site_tags.translate_url

    def counting(path, code):
        calls.append(code)
        return original(path, code)

    monkeypatch.setattr(site_tags, "translate_url", counting)
    monkeypatch.setattr(site_tags, "_translated_paths", Remembered(limit=5_000))
    html = client.get("/en/about/?x=1").content.decode()
    # The switcher (3 links) and the hreflang alternates (3 + x-default) share them.
    assert sorted(calls) == ["en", "zh-hans", "zh-hant"]
    assert 'hreflang="zh-Hans" href="http://testserver/zh-hans/about/?x=1"' in html
    assert 'href="/zh-hant/about/?x=1" hreflang="zh-Hant"' in html
    # And each path once per language it is drawn in, whatever its query string.
    html = client.get("/en/about/?y=%E6%95%B8").content.decode()
    assert len(calls) == 3
    assert 'href="/zh-hant/about/?y=%E6%95%B8" hreflang="zh-Hant"' in html
    html = client.get("/zh-hans/about/").content.decode()
    assert len(calls) == 6
    assert 'href="/en/about/" hreflang="en"' in html
    assert 'hreflang="zh-Hant" href="http://testserver/zh-hant/about/"' in html


def test_a_remembered_bar_keeps_each_languages_words():
    """The bars' HTML is remembered per pair of whole percentages and language."""
    with translation.override("en"):
        english = progress_bar(0.5, 0.6)
        assert progress_bar(0.501, 0.6) is english  # the same whole percentages
    with translation.override("zh-hant"):
        chinese = progress_bar(0.5, 0.6)
    assert "50% reported" in english and "reported" not in chinese
    assert chinese != english and "pw-50" in chinese


def test_sources_are_cited_escaped_in_the_visitors_script():
    """source_list (a plan's, an indicator's, a timeline update's sources) and
    |linked_sources (the update log's): titles linked where there is an address, every
    value escaped, the publisher in the page's script."""
    from plans.models import Source
    from plans.templatetags.site_tags import linked_sources, source_list

    linked = Source(
        title="虛構<報告>",
        title_en='Fictional "report"',
        publisher="虛構出版社",
        url="https://example.org/a?b=1&c=2",
        published_on=datetime.date(2021, 3, 4),
    )
    bare = Source(title="虛構公報")
    with translation.override("zh-hans"):
        cited = source_list([linked, bare])
        links = linked_sources([linked, bare])
    assert cited == (
        '<cite class="source"><a href="https://example.org/a?b=1&amp;c=2">虚构&lt;报告&gt;</a>'
        ', 虚构出版社, 2021-03-04</cite>; <cite class="source">虚构公报</cite>'
    )
    assert links == '<a href="https://example.org/a?b=1&amp;c=2">虚构&lt;报告&gt;</a>; 虚构公报'
    assert cited.__html__() == cited  # written into a page as it is, not escaped again
    with translation.override("en"):
        assert source_list([linked]).startswith(
            '<cite class="source"><a href="https://example.org/a?b=1&amp;c=2">'
            "Fictional &#34;report&#34;</a>, 虛構出版社, 2021-03-04"
        )
    assert source_list([]) == "" and linked_sources([]) == ""
