from math import ceil

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from marketplace.errors import DomainError
from marketplace.pages import form_add_error
from places.selectors import city_points

from . import services
from .forms import AccountDetailsForm, AvatarForm, ProviderLogoForm, ProviderProfileForm
from .selectors import provider_profile_for_user, sign_in_lock_ends_at
from .throttle import sign_in_address, sign_in_username


@login_required
def account_details(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = AccountDetailsForm(
        request.POST or None, initial={"name": user.name, "phone": user.phone}
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_details(user=user, **form.cleaned_data)
        messages.success(request, "Your details are saved.")
        return redirect("account_details")
    return render(
        request, "accounts/account_details.html", {"form": form, "avatar_form": AvatarForm()}
    )


@login_required
@require_POST
def account_avatar(request: HttpRequest) -> HttpResponse:
    form = AvatarForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.user_set_avatar(user=request.user, upload=form.cleaned_data["avatar"])
        except DomainError as error:
            form_add_error(form, error, fields={"upload": "avatar"})
    if form.errors:
        details = AccountDetailsForm(
            initial={"name": request.user.name, "phone": request.user.phone}
        )
        return render(
            request,
            "accounts/account_details.html",
            {"form": details, "avatar_form": form},
            status=400,
        )
    messages.success(request, "Your new photo is saved.")
    return redirect("account_details")


def _save_profile(request: HttpRequest, form: ProviderProfileForm, profile=None):
    """Validate the location and call the service; errors land on the form, nothing is saved."""
    data = form.cleaned_data
    try:
        city, point = services.base_location_resolve(
            city=data["base_city"], latitude=data["latitude"], longitude=data["longitude"]
        )
        fields = {
            "business_name": data["business_name"],
            "bio": data["bio"],
            "base_city": city,
            "base_point": point,
            "service_radius_km": data["service_radius_km"],
            "phone": data["phone"],
            "licence_number": data["licence_number"],
            "insurance_provider": data["insurance_provider"],
            "insurance_policy_number": data["insurance_policy_number"],
            "insurance_expires_on": data["insurance_expires_on"],
        }
        if profile is None:
            return services.provider_onboard(user=request.user, **fields)
        return services.provider_profile_update(profile=profile, **fields)
    except DomainError as error:
        form_add_error(form, error)
        return None


@login_required
def portal_onboarding(request: HttpRequest) -> HttpResponse:
    if provider_profile_for_user(user=request.user):
        return redirect("portal_home")
    form = ProviderProfileForm(request.POST or None, initial={"phone": request.user.phone})
    if request.method == "POST" and form.is_valid() and _save_profile(request, form):
        messages.success(
            request,
            "Thanks! Your profile is waiting for approval. We will email you once it is checked.",
        )
        return redirect("portal_home")
    return render(
        request,
        "accounts/portal_onboarding.html",
        {"form": form, "city_points": city_points()},
    )


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    profile = provider_profile_for_user(user=request.user)
    if profile is None:
        return redirect("portal_onboarding")
    return render(request, "accounts/portal_home.html", {"profile": profile})


@login_required
def portal_profile_edit(request: HttpRequest) -> HttpResponse:
    profile = provider_profile_for_user(user=request.user)
    if profile is None:
        return redirect("portal_onboarding")
    form = ProviderProfileForm(
        request.POST or None, initial=ProviderProfileForm.initial_from(profile)
    )
    if request.method == "POST" and form.is_valid() and _save_profile(request, form, profile):
        messages.success(request, "Your provider profile is saved.")
        return redirect("portal_home")
    return _profile_edit_page(request, profile, form=form, logo_form=ProviderLogoForm())


def _profile_edit_page(request, profile, *, form, logo_form, status=200) -> HttpResponse:
    return render(
        request,
        "accounts/portal_profile_edit.html",
        {"form": form, "logo_form": logo_form, "profile": profile, "city_points": city_points()},
        status=status,
    )


@login_required
@require_POST
def portal_profile_logo(request: HttpRequest) -> HttpResponse:
    profile = provider_profile_for_user(user=request.user)
    if profile is None:
        return redirect("portal_onboarding")
    form = ProviderLogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.provider_set_logo(profile=profile, upload=form.cleaned_data["logo"])
        except DomainError as error:
            form_add_error(form, error, fields={"upload": "logo"})
    if form.errors:
        details = ProviderProfileForm(initial=ProviderProfileForm.initial_from(profile))
        return _profile_edit_page(request, profile, form=details, logo_form=form, status=400)
    messages.success(request, "Your new photo or logo is saved. Customers see it on your listings.")
    return redirect("portal_profile_edit")


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """What a locked (account, address) pair sees instead of the sign-in form (django-axes'
    AXES_LOCKOUT_CALLABLE, for every sign-in form): how long to wait, with HTTP 429."""
    username = sign_in_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or sign_in_address(request)
    ends_at = sign_in_lock_ends_at(username=username, ip_address=address)
    wait = settings.AXES_COOLOFF_TIME if ends_at is None else ends_at - timezone.now()
    seconds = max(ceil(wait.total_seconds()), 1)
    response = render(
        request,
        "accounts/sign_in_locked.html",
        {"minutes": ceil(seconds / 60), "cool_off": settings.AXES_COOLOFF_TIME},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(seconds)
    return response
