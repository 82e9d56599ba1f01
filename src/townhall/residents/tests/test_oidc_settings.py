"""Settings that cannot work stop Townhall at start-up, naming the variable."""

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from townhall.residents.oidc_settings import oidc_private_key, oidc_settings_check
from townhall.testing.oidc_provider import signing_key

RSA_PEM = signing_key("RS256", "client-RS256").as_pem(private=True).decode()
EC_PEM = signing_key("ES256", "client-ES256").as_pem(private=True).decode()


def check(**changes):
    values: dict[str, Any] = {
        "issuer": "https://oidc.integration.account.gov.uk/",
        "client_id": "client",
        "private_key": RSA_PEM,
        "assertion_alg": "RS256",
        "id_token_algs": ["ES256", "RS256"],
        "vtr": '["Cl.Cm"]',
        "require_https": True,
    }
    values.update(changes)
    oidc_settings_check(**values)


def test_good_settings_pass():
    check()
    check(private_key=EC_PEM, assertion_alg="ES256", vtr="")


def test_nothing_is_checked_when_it_is_off():
    check(issuer="", client_id="", private_key="")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "oidc.example.org"}, "OIDC_ISSUER must be an https:// address"),
        ({"issuer": "http://idp.example.org"}, "OIDC_ISSUER must be an https:// address"),
        ({"client_id": ""}, "OIDC_CLIENT_ID must be set"),
        ({"private_key": ""}, "OIDC_PRIVATE_KEY must be set"),
        ({"private_key": "-----BEGIN PRIVATE KEY-----\nnonsense"}, "not a PEM RSA private key"),
        ({"private_key": EC_PEM}, "not a PEM RSA private key"),
        ({"assertion_alg": "HS256"}, "OIDC_CLIENT_ASSERTION_ALG must be one of"),
        ({"id_token_algs": ["none"]}, "OIDC_ID_TOKEN_ALGS must name"),
        ({"vtr": "Cl.Cm"}, "OIDC_VTR must be a JSON list"),
    ],
)
def test_settings_that_cannot_work_are_refused(changes, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        check(**changes)


def test_a_public_key_is_refused():
    public = signing_key("RS256", "client-RS256").as_pem(private=False).decode()

    with pytest.raises(ImproperlyConfigured, match="holds a public key"):
        check(private_key=public)


def test_the_key_may_be_a_file(tmp_path):
    path = tmp_path / "key.pem"
    path.write_text(RSA_PEM)

    assert oidc_private_key(str(path)) == RSA_PEM
    assert oidc_private_key(RSA_PEM.replace("\n", "\\n")) == RSA_PEM


def test_a_key_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="OIDC_PRIVATE_KEY must be a PEM private key"):
        oidc_private_key(str(tmp_path / "missing.pem"))
