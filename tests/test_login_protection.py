"""Repeated failed logins lock a username out from an address for a finite cool-off;
passwords need at least 12 characters and pass Django's validators."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.axes]

PASSWORD = "a-long-fictional-passphrase"
START = datetime.datetime(2023, 3, 1, 4, tzinfo=datetime.UTC)


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        "/en/admin/login/",
        {"username": username, "password": password, "next": "/en/admin/"},
        REMOTE_ADDR=ip,
    )


def test_settings_are_finite_and_documented_values():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_five_failures_lock_out_even_the_right_password_until_the_cool_off_ends(client):
    make_user("fictional-editor", is_staff=True, password=PASSWORD)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            assert login(client, "fictional-editor", "wrong-password").status_code == 200
        assert login(client, "fictional-editor", "wrong-password").status_code == 429
        # Locked out: the right password is refused too.
        assert login(client, "fictional-editor", PASSWORD).status_code == 429
        clock.shift(datetime.timedelta(minutes=14))
        assert login(client, "fictional-editor", PASSWORD).status_code == 429
        clock.shift(datetime.timedelta(minutes=2))
        response = login(client, "fictional-editor", PASSWORD)
        assert response.status_code == 302
        assert response.url == "/en/admin/"


def test_lockout_is_per_username_and_address(client):
    make_user("fictional-editor", is_staff=True, password=PASSWORD)
    make_user("fictional-other", is_staff=True, password=PASSWORD)
    for _ in range(5):
        login(client, "fictional-editor", "wrong-password")
    assert login(client, "fictional-editor", PASSWORD).status_code == 429
    # Another user from the same address, and the same user from elsewhere, still log in.
    assert login(client, "fictional-other", PASSWORD).status_code == 302
    client.logout()
    assert login(client, "fictional-editor", PASSWORD, ip="10.0.0.99").status_code == 302


def test_a_success_resets_the_count(client):
    make_user("fictional-editor", is_staff=True, password=PASSWORD)
    for _ in range(4):
        login(client, "fictional-editor", "wrong-password")
    assert login(client, "fictional-editor", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert login(client, "fictional-editor", "wrong-password").status_code == 200
    assert login(client, "fictional-editor", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password", ["short", "elevenchars", "123456789012345", "password1234", "fictional-editor1"]
)
def test_weak_passwords_are_refused(password):
    user = make_user("fictional-editor")
    with pytest.raises(ValidationError):
        validate_password(password, user)


def test_a_twelve_character_passphrase_is_accepted():
    validate_password("tide-lamp-90x", make_user("fictional-editor"))


def test_eleven_characters_are_too_few():
    with translation.override("en"), pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("tide-lamp-9")
