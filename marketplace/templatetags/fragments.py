"""Django template tags for the Jinja2 fragments (jinja_templates/fragments.html).

{% load fragments %}, then:

    {% service_card service %}  {% rating average count %}  {% provider_logo provider "small" %}
    {% select_options choices chosen %}
"""

from django import template
from django.utils.safestring import SafeString, mark_safe

from marketplace.jinja2 import macros

register = template.Library()


@register.simple_tag
def service_card(service) -> SafeString:
    return mark_safe(macros("fragments.html").service_card(service))  # Jinja2 escaped it already


@register.simple_tag
def rating(average, count) -> SafeString:
    return mark_safe(macros("fragments.html").rating(average, count))


@register.simple_tag
def provider_logo(provider, size: str = "") -> SafeString:
    return mark_safe(macros("fragments.html").provider_logo(provider, size))


@register.simple_tag
def select_options(choices, chosen) -> SafeString:
    return mark_safe(macros("fragments.html").select_options(choices, chosen))
