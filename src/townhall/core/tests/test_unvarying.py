"""`{% unvarying %}` (core/templatetags/unvarying.py): the layout's header
links, navigation and footer are rendered once per process for each language,
URL prefix and value the tag names, and rendered again when any of them, or a
setting, changes."""

from __future__ import annotations

from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from townhall.tenancy.models import Site

START = "/services/report-fly-tipping/"


def kept(text: str) -> Template:
    return Template("{% load unvarying %}{% unvarying name %}" + text + "{% endunvarying %}")


def test_the_part_is_rendered_once_for_each_value_it_names():
    part = kept("{{ name }} {{ other }}")
    assert part.render(Context({"name": "a", "other": 1})) == "a 1"
    # `other` is not named in the tag: the part kept for "a" is shown again.
    assert part.render(Context({"name": "a", "other": 2})) == "a 1"
    assert part.render(Context({"name": "b", "other": 2})) == "b 2"


def test_each_language_has_its_own_copy():
    part = kept('{% translate "All services" %}')
    with translation.override("en"):
        assert part.render(Context({"name": "a"})) == "All services"
    with translation.override("cy"):
        assert part.render(Context({"name": "a"})) == gettext("All services")
        assert part.render(Context({"name": "a"})) != "All services"  # the Welsh is filled in


def test_a_changed_setting_forgets_the_copies():
    part = kept("{{ other }}")
    assert part.render(Context({"name": "a", "other": 1})) == "1"
    with override_settings(STATIC_URL="/assets/"):
        assert part.render(Context({"name": "a", "other": 2})) == "2"
    assert part.render(Context({"name": "a", "other": 3})) == "3"


def test_a_renamed_site_shows_its_new_name_in_the_footer(client, fly_tipping, settings):
    settings.CONFIG_MEMO_SECONDS = 0
    assert "Powered by Townhall" in client.get(START).content.decode()
    site = Site.objects.get()
    site.name = "Renamed Council Services"
    site.save()
    footer = client.get(START).content.decode().split('<footer class="govuk-footer">')[1]
    assert "Renamed Council Services. Powered by Townhall" in footer
