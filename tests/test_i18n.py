"""The three languages: every UI string translated, catalogues compiled, pages switched."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from plans.models import Plan

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = ["zh_Hant", "zh_Hans", "en"]


def entries(language: str, locale: Path = LOCALE) -> list[tuple[str, list[str], str]]:
    """(msgid, msgstrs, flags) of every entry in a .po file, the header left out."""
    text = (locale / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    result = []
    for block in text.split("\n\n")[1:]:
        if block.startswith("#~") or not block.strip():
            continue
        found = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgid = "".join(re.findall(r'"(.*)"', found.group(1)))
        strs = [
            "".join(re.findall(r'"(.*)"', m))
            for m in re.findall(r'^msgstr(?:\[\d\])? ((?:".*"\n?)+)', block, re.M)
        ]
        flags = " ".join(line for line in block.splitlines() if line.startswith("#,"))
        result.append((msgid, strs, flags))
    return result


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    found = entries(language)
    assert len(found) > 300
    untranslated = [msgid for msgid, strs, _ in found if not strs or not all(strs)]
    assert untranslated == []
    assert [msgid for msgid, _, flags in found if "fuzzy" in flags] == []


# What the README's makemessages command leaves out, plus what it never reads.
NOT_EXTRACTED = {".venv", "tests", "locale", "node_modules", "staticfiles", "test-artifacts"}
EXTRACTED_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' defaults for the django domain


@pytest.fixture(scope="module")
def extracted_locale(tmp_path_factory):
    """The catalogues as the README's makemessages command would leave them, made in a copy
    of the sources so that the repository's files are not touched: makemessages writes its
    .pot next to the catalogues and a .py twin next to every template it reads."""
    root = tmp_path_factory.mktemp("makemessages")
    base = Path(settings.BASE_DIR)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if d not in NOT_EXTRACTED and not d.startswith(".")]
        for name in filenames:
            if Path(name).suffix in EXTRACTED_SUFFIXES:
                source = Path(dirpath) / name
                target = root / source.relative_to(base)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
    for language in CATALOGUES:
        po = Path("locale") / language / "LC_MESSAGES" / "django.po"
        (root / po).parent.mkdir(parents=True)
        shutil.copyfile(base / po, root / po)
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[root / "locale"]):
        patch.chdir(root)  # makemessages reads the tree it is run from
        call_command("makemessages", locale=CATALOGUES, verbosity=0)
    return root / "locale"


@pytest.mark.parametrize("language", CATALOGUES)
def test_every_string_in_the_code_is_in_the_catalogues_and_translated(extracted_locale, language):
    """A string added to the code or a template but not to the catalogues (or changed, which
    makemessages marks fuzzy) fails here: visitors would see English on a Chinese page."""
    found = entries(language, extracted_locale)
    assert len(found) > 300  # the extraction did read the sources
    assert [msgid for msgid, strs, _ in found if not all(strs)] == []
    assert [msgid for msgid, _, flags in found if "fuzzy" in flags] == []


@pytest.mark.parametrize("language", ["zh_Hant", "zh_Hans"])
def test_chinese_catalogues_are_in_chinese(language):
    for msgid, strs, _ in entries(language):
        if re.search(r"[A-Za-z]{4,}", msgid) and msgid not in {"URL"}:
            assert re.search(r"[\u4e00-\u9fff]", strs[0]), msgid


def test_simplified_catalogue_uses_simplified_characters():
    hans = {msgid: strs[0] for msgid, strs, _ in entries("zh_Hans")}
    assert hans["Plans"] == "规划"
    assert hans["Milestones due and delivered, by province"] == "各省已到期与已完成的目标"
    assert hans["Search"] == "搜索"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "home", "plans"),
    [("zh-hant", "首頁", "規劃"), ("zh-hans", "首页", "规划"), ("en", "Home", "Plans")],
)
def test_compiled_catalogues_translate_the_pages(client, language, home, plans):
    html = client.get(f"/{language}/").content.decode()
    nav = html.split('class="site-nav"')[1].split("</nav>")[0]
    assert f">{home}</a>" in nav and f">{plans}</a>" in nav


def test_model_names_are_translated():
    with translation.override("zh-hant"):
        assert str(Plan._meta.verbose_name) == "規劃"
        assert str(Plan.Kind.WORK_POINTS.label) == "工作要點"
    with translation.override("zh-hans"):
        assert str(Plan._meta.get_field("issued_on").verbose_name) == "发布日期"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "import_button", "axes_menu"),
    [("zh-hant", "匯入", ("存取嘗試", "登入保護")), ("zh-hans", "导入", ("访问尝试", "登录保护"))],
)
def test_libraries_speak_chinese_in_the_admin(admin_client, language, import_button, axes_menu):
    """django-import-export has no zh_Hant catalogue and django-axes no Chinese at all:
    locale_vendor/ (bin/vendor_messages.py) fills both in."""
    changelist = admin_client.get(f"/{language}/admin/plans/plan/")
    assert import_button in changelist.content.decode()
    index = admin_client.get(f"/{language}/admin/").content.decode()
    assert all(name in index for name in axes_menu)


@pytest.mark.django_db
def test_api_errors_from_rest_framework_are_in_traditional_chinese(client):
    """DRF's own zh_Hant catalogue lacks its 401 message."""
    response = client.post(
        "/api/v1/sources/", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hant"
    )
    assert response.status_code in (401, 403)
    assert "身份認證資訊未提供" in response.json()["detail"]
