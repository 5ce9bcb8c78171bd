from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.core.validators import RegexValidator

from marketplace.fields import DateField
from marketplace.images import ACCEPT as IMAGE_ACCEPT
from marketplace.images import image_limits_text
from places.models import City

from .services import AVATAR_MIN_SIDE_PX, user_complete_signup

phone_validator = RegexValidator(
    r"^\+?[0-9 ()-]{8,20}$", "Enter a phone number, such as 0412 345 678 or +61 2 9876 5432."
)


class SignupDetailsForm(forms.Form):
    """The fields allauth's sign-up form gains: a name and whether the person hires or offers."""

    ROLE_CUSTOMER = "customer"
    ROLE_PROVIDER = "provider"
    ROLE_CHOICES = [
        (ROLE_CUSTOMER, "I want to hire"),
        (ROLE_PROVIDER, "I offer services"),
    ]

    name = forms.CharField(
        label="Your name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    role = forms.ChoiceField(
        label="What brings you to Nearhand?",
        choices=ROLE_CHOICES,
        initial=ROLE_CUSTOMER,
        widget=forms.RadioSelect,
    )

    field_order = ["name", "email", "password1", "password2", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = allauth_context.request  # allauth's middleware keeps the current request
        if request is not None and request.GET.get("role") == self.ROLE_PROVIDER:
            self.initial["role"] = self.ROLE_PROVIDER

    def signup(self, request, user) -> None:
        user_complete_signup(
            user=user,
            name=self.cleaned_data["name"],
            wants_to_offer_services=self.cleaned_data["role"] == self.ROLE_PROVIDER,
        )


class AccountDetailsForm(forms.Form):
    name = forms.CharField(
        label="Your name", max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label="Phone",
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


def _square_photo_help(what: str) -> str:
    return (
        f"A JPEG, PNG or WebP {what} of up to "
        f"{settings.AVATAR_MAX_UPLOAD_BYTES // (1024 * 1024)} MB, at least "
        f"{AVATAR_MIN_SIDE_PX} pixels a side and {image_limits_text()}. "
        "We crop it to a square."
    )


class AvatarForm(forms.Form):
    avatar = forms.FileField(
        label="Profile photo",
        help_text=_square_photo_help("photo"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


class ProviderLogoForm(forms.Form):
    logo = forms.FileField(
        label="Photo or logo",
        help_text=_square_photo_help("photo or logo"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


class ProviderProfileForm(forms.Form):
    business_name = forms.CharField(
        label="Business name",
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    bio = forms.CharField(
        label="About your business",
        help_text="What you do, how long you have done it, and what customers can expect.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    base_city = forms.ModelChoiceField(
        label="City you work from",
        queryset=City.objects.order_by("name"),
        required=False,
        empty_label="Choose a city",
        help_text="Or drop a pin on the map for your exact base.",
    )
    latitude = forms.FloatField(
        label="Latitude",
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    longitude = forms.FloatField(
        label="Longitude",
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    service_radius_km = forms.IntegerField(
        label="How far you travel (km)",
        min_value=1,
        max_value=settings.PROVIDER_MAX_SERVICE_RADIUS_KM,
        initial=25,
        help_text="Customers within this distance of your base can find and book you.",
    )
    phone = forms.CharField(
        label="Business phone",
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    licence_number = forms.CharField(
        label="Licence number",
        max_length=40,
        required=False,
        help_text="Required for licensed trades such as electrical, plumbing and gas work.",
    )
    insurance_provider = forms.CharField(label="Insurer", max_length=80, required=False)
    insurance_policy_number = forms.CharField(
        label="Public liability policy number", max_length=40, required=False
    )
    insurance_expires_on = DateField(
        label="Policy expires on",
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text=(
            "From your certificate of currency. An expired policy cannot be added; we remind "
            "you 30 and 7 days before this one expires."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        has_lat = cleaned.get("latitude") is not None
        has_lng = cleaned.get("longitude") is not None
        if has_lat != has_lng:
            raise forms.ValidationError("A map pin needs both a latitude and a longitude.")
        if not has_lat and not cleaned.get("base_city") and not self.errors:
            raise forms.ValidationError("Choose your city or drop a pin on the map.")
        insurance = [cleaned.get(f) for f in ("insurance_provider", "insurance_policy_number")]
        if any(insurance) and not all(insurance):
            raise forms.ValidationError(
                "For insurance, give both the insurer and the policy number."
            )
        return cleaned

    @classmethod
    def initial_from(cls, profile) -> dict:
        return {
            "business_name": profile.business_name,
            "bio": profile.bio,
            "base_city": profile.base_city,
            "latitude": round(profile.base_point.y, 6),
            "longitude": round(profile.base_point.x, 6),
            "service_radius_km": profile.service_radius_km,
            "phone": profile.user.phone,
            "licence_number": profile.licence_number,
            "insurance_provider": profile.insurance_provider,
            "insurance_policy_number": profile.insurance_policy_number,
            "insurance_expires_on": profile.insurance_expires_on,
        }
