"""Django templates against Jinja2 for the same GOV.UK markup, before deciding
whether to move (docs/performance.md, "Template rendering").

Renders Townhall's own `questions/radios.html` (a GOV.UK radios component: the
markup of the most common question) with Django's engine, and a line-for-line
Jinja2 translation of it, with the same context, and prints the CPU time per
render of each. Not part of the test suite.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

JINJA_RADIOS = """<div class="govuk-radios" data-module="govuk-radios">
  {% for option in q.options %}
  <div class="govuk-radios__item">
    <input class="govuk-radios__input" id="{% if loop.first %}{{ q.id }}{% else %}{{ q.id }}-{{ loop.index }}{% endif %}" name="{{ q.id }}" type="radio" value="{{ option.value }}"{% if field.value == option.value %} checked{% endif %}{% if option.hint %} aria-describedby="{{ q.id }}-{{ loop.index }}-hint"{% endif %}>
    <label class="govuk-label govuk-radios__label" for="{% if loop.first %}{{ q.id }}{% else %}{{ q.id }}-{{ loop.index }}{% endif %}">{{ option.label }}</label>
    {% if option.hint %}<div id="{{ q.id }}-{{ loop.index }}-hint" class="govuk-hint govuk-radios__hint">{{ option.hint }}</div>{% endif %}
  </div>
  {% endfor %}
</div>"""  # noqa: E501


def cpu_ms_per_render(render: object, repeat: int) -> float:
    assert callable(render)
    for _ in range(50):
        render()
    started = time.process_time()
    for _ in range(repeat):
        render()
    return 1000 * (time.process_time() - started) / repeat


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
    os.environ.setdefault("TOWNHALL_ENV", "test")
    import django

    django.setup()
    import jinja2
    from django.template.loader import get_template

    options = [
        {"value": f"option_{n}", "label": f"Option number {n}", "hint": "A hint" if n % 2 else ""}
        for n in range(6)
    ]
    context = {"q": {"id": "waste_type", "options": options}, "field": {"value": "option_3"}}
    django_template = get_template("questions/radios.html")
    jinja_template = jinja2.Environment(autoescape=True).from_string(JINJA_RADIOS)
    same = " ".join(django_template.render(context).split()) == " ".join(
        jinja_template.render(context).split()
    )
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    dtl = cpu_ms_per_render(lambda: django_template.render(context), repeat)
    jinja = cpu_ms_per_render(lambda: jinja_template.render(context), repeat)
    print("| Engine | CPU ms per render | Ratio |\n|---|---:|---:|")
    print(f"| Django templates | {dtl:.3f} | {dtl / jinja:.1f} |")
    print(f"| Jinja2 | {jinja:.3f} | 1.0 |")
    print(f"\nSame HTML (whitespace aside): {same}; {repeat} renders each.")


if __name__ == "__main__":
    main()
