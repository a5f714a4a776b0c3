"""Template tags shared by every app."""

from __future__ import annotations

from django import template
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_link(context: template.Context, url_name: str, label: str, *args: object) -> str:
    """A sub-navigation link, marked current when the page is under it; nothing if the URL is not installed."""
    try:
        url = reverse(url_name, args=args or None)
    except NoReverseMatch:
        return ""
    request: HttpRequest | None = context.get("request")
    current = request is not None and request.path.startswith(url)
    if current:
        return format_html('<li><a href="{}" aria-current="page">{}</a></li>', url, label)
    return format_html('<li><a href="{}">{}</a></li>', url, label)
