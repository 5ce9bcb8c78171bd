"""Form fields every app's forms share."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from .params import DATE_MAX, DATE_MIN, date_in_range
from .widgets import DateInput


class DateField(forms.DateField):
    """A date from DATE_MIN to DATE_MAX (marketplace.params), with the browser's date picker.

    Django's own DateField takes any date from year 1 to 9999, and adding a day or a week to
    9999-12-31 overflows: every form's dates come through here instead.
    """

    widget = DateInput
    default_error_messages = {
        "out_of_range": "Enter a date from %(minimum)s to %(maximum)s.",
    }

    def __init__(self, *, minimum: date = DATE_MIN, maximum: date = DATE_MAX, **kwargs) -> None:
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None and not date_in_range(
            value, minimum=self.minimum, maximum=self.maximum
        ):
            raise ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"minimum": _label(self.minimum), "maximum": _label(self.maximum)},
            )

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs.update(min=self.minimum.isoformat(), max=self.maximum.isoformat())
        return attrs


def _label(day: date) -> str:
    """1 January 2000."""
    return f"{day.day} {day:%B %Y}"
