"""The support pages' forms. They only read the request: the services check every value and
say what is wrong, so the fields are plain and optional and carry the services' names."""

from django import forms
from django.conf import settings

from listings.forms import MultipleFileField, MultipleFileInput
from listings.images import MIN_PHOTO_SIDE
from marketplace.images import ACCEPT as IMAGE_ACCEPT

from .models import CASE_MAX_PHOTOS, DESCRIPTION_MAX_LENGTH, MESSAGE_MAX_LENGTH, Case

PHOTOS_HELP = (
    f"Up to {CASE_MAX_PHOTOS}: JPEG, PNG or WebP, up to "
    f"{settings.PHOTO_MAX_UPLOAD_BYTES // (1024 * 1024)} MB each, at least "
    f"{MIN_PHOTO_SIDE} pixels a side. Only the other party and our moderators see them."
)


def _photos_field() -> MultipleFileField:
    return MultipleFileField(
        label="Photos (optional)",
        required=False,
        widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=PHOTOS_HELP,
    )


class CaseForm(forms.Form):
    reason = forms.CharField(
        label="What went wrong?", required=False, widget=forms.RadioSelect(choices=Case.Reason)
    )
    description = forms.CharField(
        label="What happened",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": DESCRIPTION_MAX_LENGTH}),
        help_text=f"Up to {DESCRIPTION_MAX_LENGTH:,} characters: what happened, when, and "
        "what you would like us to do.",
    )
    photos = _photos_field()


class CaseMessageForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MESSAGE_MAX_LENGTH}),
    )
    photos = _photos_field()
