"""`{% unvarying %}`: a part of a template rendered once per process.

    {% load unvarying %}
    {% unvarying site_name %}<footer>… {% url 'web:performance' %} …</footer>{% endunvarying %}

The layout's header links, service navigation and footer are the same on every
page a site shows in a language, yet reversing their URLs, finding their
static files and translating their words took about a fifth of the time the
start page took to render. The part between the tags is rendered the first
time and kept, by the language, the URL prefix and the values named in the tag;
later pages copy it. Only for markup that depends on nothing else: never on the
request, the user, the session, a CSRF token or a form (ADR 0070).

The kept copies are dropped when a setting changes (tests) and when there are
more than `LIMIT` of them for one tag (a value named in the tag that varies
more than expected).
"""

from __future__ import annotations

import weakref
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import FilterExpression, NodeList, Parser, Token
from django.template.context import Context
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

LIMIT = 100
_nodes: weakref.WeakSet[UnvaryingNode] = weakref.WeakSet()  # emptied when a setting changes


class UnvaryingNode(template.Node):
    def __init__(self, nodelist: NodeList, keys: list[FilterExpression]) -> None:
        self.nodelist = nodelist
        self.keys = keys
        self.kept: dict[tuple[Any, ...], SafeString] = {}
        _nodes.add(self)

    def render(self, context: Context) -> str:
        key = (
            get_language(),
            get_script_prefix(),
            get_urlconf(),
            *(str(expression.resolve(context)) for expression in self.keys),
        )
        found = self.kept.get(key)
        if found is None:
            if len(self.kept) >= LIMIT:
                self.kept.clear()
            found = self.kept[key] = mark_safe(self.nodelist.render(context))  # noqa: S308  # a template's own output
        return found


@register.tag
def unvarying(parser: Parser, token: Token) -> UnvaryingNode:
    """`{% unvarying value … %}…{% endunvarying %}`: see the module's docstring."""
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endunvarying",))
    parser.delete_first_token()
    return UnvaryingNode(nodelist, keys)


@receiver(setting_changed)
def _forget(**_kwargs: Any) -> None:
    for node in _nodes:
        node.kept.clear()
