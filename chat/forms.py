from django import forms
from django.conf import settings

from listings.forms import MultipleFileField, MultipleFileInput
from listings.images import MIN_PHOTO_SIDE
from marketplace.images import ACCEPT as IMAGE_ACCEPT

from .models import MESSAGE_MAX_LENGTH, MESSAGE_MAX_PHOTOS, REPORT_REASON_MAX_LENGTH


class MessageForm(forms.Form):
    # The service checks the length (with the count in its message); the browser's maxlength
    # only saves typing past it.
    body = forms.CharField(
        label="Message",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX_LENGTH}),
    )
    photos = MultipleFileField(
        label="Photos",
        required=False,
        widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=(
            f"Up to {MESSAGE_MAX_PHOTOS}: JPEG, PNG or WebP, up to "
            f"{settings.PHOTO_MAX_UPLOAD_BYTES // (1024 * 1024)} MB each, at least "
            f"{MIN_PHOTO_SIDE} pixels a side."
        ),
    )
    about = forms.CharField(required=False, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this message?",
        max_length=REPORT_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
