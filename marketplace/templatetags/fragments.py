"""Django template tags for the Jinja2 fragments (jinja_templates/fragments.html).

{% load fragments %}, then:

    {% service_card service %}  {% rating average count %}  {% provider_logo provider "small" %}
    {% select_options choices chosen %}
"""

from functools import cache

from django import template
from django.template import engines
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@cache
def _macros():
    # The template's module holds its macros; Jinja2 builds it once and keeps it.
    return engines["jinja2"].env.get_template("fragments.html").module


@register.simple_tag
def service_card(service) -> SafeString:
    return mark_safe(_macros().service_card(service))  # Jinja2 escaped it already


@register.simple_tag
def rating(average, count) -> SafeString:
    return mark_safe(_macros().rating(average, count))


@register.simple_tag
def provider_logo(provider, size: str = "") -> SafeString:
    return mark_safe(_macros().provider_logo(provider, size))


@register.simple_tag
def select_options(choices, chosen) -> SafeString:
    return mark_safe(_macros().select_options(choices, chosen))
