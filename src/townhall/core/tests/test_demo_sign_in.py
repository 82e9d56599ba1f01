"""The demo prints the staff account's password and its authenticator's
`otpauth://` URI, and a tester can sign in with what it printed."""

from __future__ import annotations

import base64
import re
from io import StringIO
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django_otp.oath import totp


@pytest.mark.django_db
def test_a_tester_signs_in_with_what_the_demo_prints(client):
    out = StringIO()
    call_command("demo_setup", stdout=out)
    text = out.getvalue()
    password = re.search(r"Staff sign-in: staff@example.gov.uk  password: (\S+)", text).group(1)
    uri = re.search(r"(otpauth://totp/\S+)", text).group(1)
    parsed = urlparse(uri)
    assert parsed.path == "/Townhall%3Astaff%40example.gov.uk"
    secret = parse_qs(parsed.query)["secret"][0]
    response = client.post(
        "/staff/login/", {"username": "staff@example.gov.uk", "password": password}
    )
    assert response["Location"].startswith("/staff/login/code/")
    code = f"{totp(base64.b32decode(secret)):06d}"
    assert client.post(response["Location"], {"code": code})["Location"] == "/staff/"
    # Started again, the demo keeps the same authenticator (the tester's app still works).
    again = StringIO()
    call_command("demo_setup", stdout=again)
    assert uri in again.getvalue()


@pytest.mark.django_db
def test_a_tester_signs_in_as_the_demo_resident_with_what_it_prints(client):
    out = StringIO()
    call_command("demo_setup", stdout=out)
    text = out.getvalue()
    password = re.search(r"resident@example.org  password: (\S+)", text).group(1)

    response = client.post(
        "/account/sign-in/", {"username": "resident@example.org", "password": password}
    )

    assert response.status_code == 302
    assert response["Location"] == "/account/"
    home = client.get("/account/").content.decode()
    assert "resident@example.org" in home
    assert "not confirmed" not in home  # the demo resident's address is confirmed
