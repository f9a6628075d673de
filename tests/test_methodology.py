"""The public methodology page explains the method with the source data's example."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 11, 29, 12, tzinfo=datetime.UTC), tick=False)
def test_methodology_page_shows_anhui_overdue_and_unreported(
    client, source_data, django_assert_num_queries
):
    with translation.override("en"):
        url = reverse("plans:methodology")
    assert url == "/en/methodology/"
    # Whether the status snapshot is valid for today, then the milestones with status.
    with django_assert_num_queries(2):
        response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "started 2020-10-24, due 2022-12-31, 100% of the time gone, nothing reported → overdue, unreported"
        in text
    )
    assert (
        "started 2020-10-24, due 2025-12-31, 100% of the time gone, nothing reported → overdue, unreported"
        in text
    )
    assert "0.10" in text


def test_methodology_page_without_data(client):
    response = client.get("/zh-hant/methodology/")
    assert response.status_code == 200
