"""Money on the Earnings pages: `{{ cents|dollars }}` shows 123450 as "$1,234.50"."""

from django import template

from ..money import dollars as _dollars

register = template.Library()


@register.filter
def dollars(amount_cents: int | None) -> str:
    return _dollars(amount_cents or 0)
