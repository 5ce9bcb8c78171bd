"""The review pages' forms. They only read the request: the services check every value (and
say what is wrong), so a form's fields are plain and optional and carry the services' names."""

from django import forms
from django.conf import settings

from listings.forms import MultipleFileField, MultipleFileInput
from listings.images import MIN_PHOTO_SIDE
from marketplace.images import ACCEPT as IMAGE_ACCEPT

from .models import (
    PRIVATE_NOTE_MAX_LENGTH,
    REPLY_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
    REVIEW_MAX_PHOTOS,
    REVIEW_TEXT_MAX_LENGTH,
    REVIEW_TEXT_MIN_LENGTH,
    ReviewReport,
)

STAR_CHOICES = [(str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)]
SUB_CHOICES = [("", "Skip"), *STAR_CHOICES]


def _stars_field(label: str, *, optional: bool) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.RadioSelect(choices=SUB_CHOICES if optional else STAR_CHOICES),
    )


class ReviewForm(forms.Form):
    rating = _stars_field("Overall rating", optional=False)
    quality = _stars_field("Quality of the work", optional=True)
    punctuality = _stars_field("Punctuality", optional=True)
    communication = _stars_field("Communication", optional=True)
    value = _stars_field("Value for money", optional=True)
    # The service checks the length (with the count in its message); maxlength only saves
    # typing past it.
    text = forms.CharField(
        label="Your review",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": REVIEW_TEXT_MAX_LENGTH}),
        help_text=(
            f"From {REVIEW_TEXT_MIN_LENGTH} to {REVIEW_TEXT_MAX_LENGTH:,} characters. "
            "Say what was done and how it went; it is shown with your first name and initial."
        ),
    )


class ReviewPhotosForm(ReviewForm):
    photos = MultipleFileField(
        label="Photos (optional)",
        required=False,
        widget=MultipleFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=(
            f"Up to {REVIEW_MAX_PHOTOS}: JPEG, PNG or WebP, up to "
            f"{settings.PHOTO_MAX_UPLOAD_BYTES // (1024 * 1024)} MB each, at least "
            f"{MIN_PHOTO_SIDE} pixels a side."
        ),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your public reply",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REPLY_MAX_LENGTH}),
        help_text=(
            f"Up to {REPLY_MAX_LENGTH:,} characters, shown under the review. You can reply "
            "once and change it for 48 hours."
        ),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label="What is wrong with this review?",
        required=False,
        widget=forms.RadioSelect(choices=ReviewReport.Reason.choices),
    )
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": REPORT_DETAILS_MAX_LENGTH}),
        help_text=(
            f"Up to {REPORT_DETAILS_MAX_LENGTH} characters. The author is not told who reported it."
        ),
    )


class CustomerRatingForm(forms.Form):
    rating = _stars_field("How was this customer?", optional=False)
    private_note = forms.CharField(
        label="A note for the platform (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": PRIVATE_NOTE_MAX_LENGTH}),
        help_text="Never shown to the customer. Other providers see only the average rating.",
    )
