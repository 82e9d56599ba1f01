"""Staff pages are titled with the council's name, not the site's host name."""

from __future__ import annotations

import re

from townhall.tenancy.factories import OrganisationFactory, SiteFactory


def title(body: str) -> str:
    found = re.search(r"<title>(.*?)</title>", body, re.S)
    assert found is not None
    return " ".join(found.group(1).split())


def test_the_sign_in_page_is_titled_with_the_site_s_council(client, db):
    council = OrganisationFactory(slug="exa", name="Exampleshire Council", reference_prefix="EXS")
    SiteFactory(host="testserver", name="testserver", organisations=[council])
    body = client.get("/staff/login/").content.decode()
    assert title(body) == "Sign in to the back office \u2013 Exampleshire Council"
