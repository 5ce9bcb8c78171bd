"""Booking and availability forms: they turn requests into values; services.py decides."""

from __future__ import annotations

from datetime import date

from django import forms

from marketplace.fields import DateField
from marketplace.times import day_label
from marketplace.widgets import TimeInput

from .models import AvailabilityException, Weekday
from .slots import Slot


class DayForm(forms.Form):
    """The day to show free times for (a GET form: works without JavaScript). Given the
    booking window, the browser's date picker offers only its days; the page itself reads
    whatever is sent (bookings.selectors.booking_day_choose)."""

    date = DateField(label="Date")

    def __init__(self, *args, first: date | None = None, last: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        attrs = self.fields["date"].widget.attrs
        if first is not None:
            attrs["min"] = first.isoformat()
        if last is not None:
            attrs["max"] = last.isoformat()


def _slot_choices(slots: list[Slot]) -> list[tuple[str, str]]:
    return [(slot.value, slot.label) for slot in slots]


class BookingForm(forms.Form):
    start = forms.ChoiceField(label="Time", widget=forms.RadioSelect)
    street_address = forms.CharField(
        label="Street address",
        max_length=150,
        help_text="Where the job is, e.g. 12 Smith Street.",
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    place = forms.CharField(
        label="Suburb or town",
        max_length=80,
        help_text="For example Bondi, or Fremantle WA. We check it is inside the service area.",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    notes = forms.CharField(
        label="Notes for the provider",
        required=False,
        max_length=2000,
        help_text="What needs doing, access, parking, pets.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, slots: list[Slot], day: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = _slot_choices(slots)
        self.fields["start"].label = f"Time on {day_label(slots[0].local_start) if slots else day}"


class RescheduleForm(forms.Form):
    start = forms.ChoiceField(label="New time", widget=forms.RadioSelect)

    def __init__(self, *args, slots: list[Slot], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["start"].choices = _slot_choices(slots)


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why are you cancelling?",
        max_length=300,
        help_text="The other side sees this.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason", required=False, max_length=250, widget=forms.Textarea(attrs={"rows": 2})
    )


class WeeklyHoursForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label="From", widget=TimeInput)
    end_time = forms.TimeField(label="To", widget=TimeInput)


class ExceptionForm(forms.Form):
    date = DateField(label="Date")
    kind = forms.ChoiceField(
        label="What changes", choices=AvailabilityException.Kind.choices, widget=forms.RadioSelect
    )
    start_time = forms.TimeField(
        label="From", required=False, widget=TimeInput, help_text="For extra hours only."
    )
    end_time = forms.TimeField(
        label="To", required=False, widget=TimeInput, help_text="For extra hours only."
    )
