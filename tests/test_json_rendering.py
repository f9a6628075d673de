"""The API's JSON renderer (govtracker/json_rendering.py) writes with orjson what DRF's
JSONRenderer writes with the standard library: each test renders the same data with both
and compares the bytes."""

import datetime
import json
import uuid
from decimal import Decimal
from unittest import mock

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.relations import Hyperlink
from rest_framework.test import APIClient
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from govtracker.json_rendering import JSONRenderer
from tests.factories import make_tracked_plan, make_update

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))

VALUES = {
    "text": "安徽省數字政府 Anhui's “digital” plan",
    "escapes": 'quote " backslash \\ slash / tab \t newline \n nul \x00 unit \x1f del \x7f',
    "separators": "line\u2028paragraph\u2029end",
    "astral": "𠀀 emoji 🙂",
    "empty": "",
    "integers": [0, -1, 2**53, 2**63 - 1, -(2**63)],
    "floats": [0.0, -0.0, 0.1, 0.3125, 1 / 3, 2.0, 12.5, 1e-4, 1e16, 1.5e300, 5e-324],
    "booleans": [True, False, None],
    "date": datetime.date(2022, 12, 31),
    "utc": datetime.datetime(2022, 12, 31, 15, 30, tzinfo=datetime.UTC),
    "shanghai": datetime.datetime(2022, 12, 31, 23, 30, 0, 120000, tzinfo=SHANGHAI),
    "naive": datetime.datetime(2022, 12, 31, 23, 30),
    "time": datetime.time(9, 30),
    "duration": datetime.timedelta(days=1, seconds=3),
    "decimal": Decimal("31.3"),
    "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Plans"),
    "link": Hyperlink("http://testserver/api/v1/plans/anhui/", None),
    "tuple": (1, "two"),
    "set": {3},
    "nested": {"list": [{"deep": [[], {}]}], "return_list": ReturnList([1], serializer=None)},
}


def drf(data, media_type=None, context=None) -> bytes:
    return renderers.JSONRenderer().render(data, media_type, context)


def ours(data, media_type=None, context=None) -> bytes:
    return JSONRenderer().render(data, media_type, context)


@pytest.mark.parametrize("name", sorted(VALUES))
def test_each_kind_of_value_is_written_as_drf_writes_it(name):
    data = ReturnDict({name: VALUES[name]}, serializer=None)
    with translation.override("zh-hant"):
        assert ours(data) == drf(data)


def test_a_whole_document_is_drf_s_byte_for_byte():
    with translation.override("en"):
        assert ours(VALUES) == drf(VALUES)
        assert ours([VALUES, VALUES]) == drf([VALUES, VALUES])


def test_line_and_paragraph_separators_are_escaped_for_javascript():
    written = ours({"text": "a\u2028b\u2029c"})
    assert written == b'{"text":"a\\u2028b\\u2029c"}'
    assert json.loads(written) == {"text": "a\u2028b\u2029c"}


def test_a_float_below_one_ten_thousandth_is_the_same_number():
    # The one difference: json writes 1e-05, orjson 0.00001.
    for value in [1e-5, 3.2e-7, -4.5e-9]:
        assert json.loads(ours({"v": value})) == json.loads(drf({"v": value})) == {"v": value}


@pytest.mark.parametrize(
    "data",
    [
        {"big": 2**64},  # beyond 64 bits
        {1: "a key that is not a string"},
        None,
    ],
)
def test_what_orjson_refuses_drf_writes(data):
    assert ours(data) == drf(data)


def test_an_object_neither_knows_fails_as_drf_fails():
    with pytest.raises(TypeError):
        drf({"object": object()})
    with pytest.raises(TypeError):
        ours({"object": object()})


def test_indented_output_is_drf_s():
    data = {"a": [1, {"b": "c"}]}
    for media_type, context in [
        ("application/json; indent=4", None),
        ("application/json", {"indent": 2}),  # as the browsable API asks
    ]:
        written = ours(data, media_type, context)
        assert written == drf(data, media_type, context)
        assert b"\n" in written


def test_other_settings_than_drf_s_defaults_are_left_to_drf():
    data = {"text": "中文", "n": [1, 2]}
    with mock.patch.object(JSONRenderer, "ensure_ascii", True):
        assert ours(data) == b'{"text":"\\u4e2d\\u6587","n":[1,2]}'
    with mock.patch.object(JSONRenderer, "compact", False):
        assert ours(data) == '{"text": "中文", "n": [1, 2]}'.encode()


def test_orjson_writes_the_common_document():
    # Not the fallback in disguise: DRF's encoder is not asked to write a plain document.
    with mock.patch("rest_framework.renderers.json.dumps") as dumps:
        assert ours({"a": [1, "b", None]}) == b'{"a":[1,"b",null]}'
    dumps.assert_not_called()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/plans/",
        "/api/v1/plans/?as_of=2022-06-30",
        "/api/v1/milestones/",
        "/api/v1/updates/",
        "/api/v1/jurisdictions/",
        "/api/v1/sources/",
        "/api/v1/scorecards/",
        "/api/v1/indicators/",
        "/api/v1/observations/",
        "/api/v1/plans/?status=bogus",  # an error
    ],
)
def test_the_api_answers_drf_s_json(path):
    plan = make_tracked_plan()
    make_update(
        milestone=plan.milestones.first(), as_of=datetime.date(2022, 3, 1), percent_complete=40
    )
    client = APIClient()
    answer = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert answer["Content-Type"] == "application/json"
    with mock.patch("govtracker.json_rendering.orjson.dumps", side_effect=_never):
        # Every render falls back: DRF's own output, for the same data.
        fallback = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hant")
    assert answer.status_code == fallback.status_code
    assert answer.content == fallback.content


def _never(*args, **kwargs):
    import orjson

    raise orjson.JSONEncodeError("forced: render with DRF's encoder")
