"""The Jinja2 environment of the hot fragments (jinja_templates/).

Django's own filters, so a fragment shows a price, a rating, a date or a text exactly as the
pages rendered by Django's engine do.
"""

from functools import cache

from django.template import engines
from django.template.defaultfilters import date, floatformat, linebreaks_filter, pluralize
from django.urls import reverse
from django.utils.timezone import localtime
from jinja2 import Environment


def half_stars(average) -> int:
    """The star modifier (0..10) of an average out of 5: {% widthratio average 1 2 %}."""
    return round(float(average) * 2)


def local_date(value, format_string: str) -> str:
    """Django's `date` filter in the current time zone, which Django's engine converts an
    aware datetime to before its `date` filter sees it (Jinja2 does not)."""
    return date(localtime(value), format_string)


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(
        floatformat=floatformat,
        pluralize=pluralize,
        half_stars=half_stars,
        linebreaks=linebreaks_filter,
        local_date=local_date,
    )
    env.globals.update(url=url)
    return env


@cache
def macros(template_name: str):
    """The macros of one of jinja_templates/' files (its module, built once and kept), for the
    template tags that let Django templates call them."""
    return engines["jinja2"].env.get_template(template_name).module
