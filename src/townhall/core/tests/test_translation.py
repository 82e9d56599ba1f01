"""Every template marks the text people read for translation, and the
committed Welsh catalogue is compiled from its source."""

from __future__ import annotations

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from townhall.testing.template_text import (
    template_files,
    untranslated_in_files,
    untranslated_text,
)

PACKAGE = Path(__file__).resolve().parents[2]
CATALOGUE = PACKAGE / "locale" / "cy" / "LC_MESSAGES"


def test_every_template_marks_the_text_people_read():
    templates = template_files(PACKAGE)
    assert len(templates) > 40  # the check really looked at the templates
    problems = untranslated_in_files(templates, relative_to=PACKAGE)
    assert problems == [], "Text not marked for translation:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("source", "line", "text"),
    [
        ("<p>Hello there</p>", 1, "Hello there"),
        ('<div>\n  <h1 class="x">\n    Report a problem\n  </h1></div>', 3, "Report a problem"),
        ("{% block title %}Home{% endblock %}", 1, "Home"),
        ("<p>{{ count }} service{{ count|pluralize }}</p>", 1, "service"),
        ('<p>{% if x %}Yes{% else %}{% translate "No" %}{% endif %}</p>', 1, "Yes"),
        ('<a href="/" aria-label="Main menu">→</a>', 1, "Main menu"),
        ('<img src="a.png" alt="A map of the area">', 1, "A map of the area"),
        ('<input type="text" placeholder="Search">', 1, "Search"),
        ('<input type="submit" value="Send">', 1, "Send"),
        (
            '<abbr title="Local Government Service List">{{ code }}</abbr>',
            1,
            "Local Government Service List",
        ),
        ('<span title="Version {{ n }}">{{ n }}</span>', 1, "Version"),
        ('<td>{{ case.team.name|default:"Unassigned" }}</td>', 1, "Unassigned"),
        ('<td>{{ flag|yesno:"Yes,No" }}</td>', 1, "Yes,No"),
        ("{# note #}\n\n<p>Café</p>", 3, "Café"),
        ("<title>Error: {{ page }}</title>", 1, "Error:"),
    ],
)
def test_the_check_finds_unmarked_text(source, line, text):
    found = untranslated_text(source)
    assert [(item.line, item.text) for item in found] == [(line, text)]


@pytest.mark.parametrize(
    "source",
    [
        '<p>{% translate "Hello there" %}</p>',
        "<p>{% blocktranslate trimmed with name=user.name %}Hi {{ name }}{% endblocktranslate %}",
        "<p>{% blocktrans %}Hello{% endblocktrans %}</p>",
        '<a aria-label="{% translate "Main menu" %}" href="/">→</a>',
        '<td>{{ case.team.name|default:_("Unassigned") }}</td>',
        '<p>{{ case.created_at|date:"j F Y, g:ia" }} \u2013 {{ name|truncatechars:80 }}</p>',
        '{% include "questions/"|add:q.type|add:".html" %}',
        "<p>{{ reference }} (“{{ label }}”): 42 \u2013 7/10</p>",
        '<div class="govuk-grid-row" id="main-content" data-module="govuk-button"></div>',
        '<button type="submit" name="action" value="continue">{% translate "Go" %}</button>',
        '<input type="hidden" name="next" value="somewhere">',
        "<script>var greeting = 'Hello';</script><style>p::after { content: 'x'; }</style>",
        "<!-- a comment nobody sees -->",
        "{% comment %}Explains the template{% endcomment %}",
        '<input{% if checked %} checked{% endif %} type="checkbox" value="yes">',
        "&nbsp;&amp;&rarr;",
    ],
)
def test_the_check_accepts_marked_or_invisible_text(source):
    assert untranslated_text(source) == []


def test_a_plain_text_template_is_read_line_by_line():
    source = '{% translate "Hello" %} {{ name }},\n\nYour reference is {{ reference }}.\n'
    assert [(i.line, i.text) for i in untranslated_text(source, html=False)] == [
        (3, "Your reference is ."),
    ]


def test_the_check_names_the_file_and_line(tmp_path):
    folder = tmp_path / "app" / "templates" / "app"
    folder.mkdir(parents=True)
    (folder / "page.html").write_text(
        '{% extends "base.html" %}\n{% block content %}\n<h1>Not marked</h1>\n{% endblock %}\n'
    )
    (folder / "fine.html").write_text('<h1>{% translate "Marked" %}</h1>\n')
    (tmp_path / "app" / "notes.html").write_text("<p>Not a template folder</p>")

    files = template_files(tmp_path)
    assert [path.name for path in files] == ["fine.html", "page.html"]
    assert untranslated_in_files(files, relative_to=tmp_path) == [
        "app/templates/app/page.html:3: Not marked"
    ]


def _catalogue(path: Path) -> dict[object, str]:
    with path.open("rb") as file:
        return dict(gettext.GNUTranslations(file)._catalog)  # type: ignore[attr-defined]


def test_the_committed_welsh_catalogue_is_compiled_from_its_source(tmp_path):
    """django.mo is committed beside django.po (see ADR 15): after editing the
    .po, `make messages` compiles it again."""
    if shutil.which("msgfmt") is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt is missing: install Debian's gettext package")
        pytest.skip("msgfmt is missing (scripts/ensure-gettext installs it)")
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603
        ["msgfmt", "--check-format", "-o", str(compiled), str(CATALOGUE / "django.po")],  # noqa: S607
        check=True,
    )
    assert _catalogue(CATALOGUE / "django.mo") == _catalogue(compiled)
