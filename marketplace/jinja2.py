"""The Jinja2 environment of the hot fragments (jinja_templates/fragments.html).

Django's own number filters, so a card shows a price or a rating exactly as the pages
rendered by Django's engine do.
"""

from django.template.defaultfilters import floatformat, pluralize
from jinja2 import Environment


def half_stars(average) -> int:
    """The star modifier (0..10) of an average out of 5: {% widthratio average 1 2 %}."""
    return round(float(average) * 2)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(floatformat=floatformat, pluralize=pluralize, half_stars=half_stars)
    return env
