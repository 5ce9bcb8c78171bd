"""The provider portal's listing pages: list, create, edit, photos, status and delete.

Thin views: forms turn requests into values, services.py decides and writes. Every listing is
looked up through the signed-in provider, so another provider's listing is a 404.
"""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import provider_required
from accounts.models import ProviderProfile
from marketplace.errors import DomainError
from marketplace.pages import error_status, form_add_error, messages_add_error
from marketplace.params import parse_id, redirect_next

from . import selectors, services
from .forms import PhotoUploadForm, ServiceForm, attribute_fields, attribute_initial
from .models import Service, ServicePhoto, Subcategory


def _own_service(provider: ProviderProfile, pk: int) -> Service:
    service = selectors.portal_service_get(provider=provider, pk=pk)
    if service is None:
        raise Http404("No such listing.")
    return service


def _own_photo(service: Service, photo_pk: int) -> ServicePhoto:
    photo = ServicePhoto.objects.filter(pk=photo_pk, service=service).first()
    if photo is None:
        raise Http404("No such photo.")
    return photo


def _saved_message(service: Service, provider: ProviderProfile) -> str:
    title = f"“{service.title}”"
    if service.status == Service.Status.ACTIVE:
        if provider.status == ProviderProfile.Status.APPROVED:
            return f"{title} is live: customers can find it now."
        return f"{title} is published. It goes public as soon as we approve your provider profile."
    if service.status == Service.Status.DRAFT:
        return f"{title} is saved as a draft. Only you can see it; publish it when it is ready."
    if service.status == Service.Status.PAUSED:
        return f"{title} is saved. It stays paused: customers cannot see it until you activate it."
    return f"{title} is saved. It stays hidden until our moderators look at it again."


def _status_from_post(request: HttpRequest) -> str | None:
    status = request.POST.get("_status")
    return status if status in (Service.Status.DRAFT, Service.Status.ACTIVE) else None


def _refresh_form(request: HttpRequest, provider: ProviderProfile, groups) -> ServiceForm:
    """The form again with what was typed, showing the newly chosen type's fields, unsaved."""
    initial = {key: request.POST.get(key) for key in request.POST if not key.startswith("_")}
    initial.pop("csrfmiddlewaretoken", None)
    return ServiceForm(initial=initial, provider=provider, groups=groups)


def _form_context(
    provider: ProviderProfile, form: ServiceForm, service: Service | None = None
) -> dict:
    return {
        "provider": provider,
        "form": form,
        "service": service,
        "is_pending": provider.status == ProviderProfile.Status.PENDING,
    }


@provider_required
@require_GET
def portal_service_list(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    everything = list(selectors.portal_service_list(provider=provider))
    archived = [s for s in everything if s.status == Service.Status.ARCHIVED]
    return render(
        request,
        "listings/portal/service_list.html",
        {
            "provider": provider,
            "listings": [s for s in everything if s.status != Service.Status.ARCHIVED],
            "archived": archived,
            "blocked_reason": services.provider_listings_blocked_reason(provider=provider),
            "is_pending": provider.status == ProviderProfile.Status.PENDING,
        },
    )


@provider_required
@require_http_methods(["GET", "POST"])
def portal_service_create(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    blocked = services.provider_listings_blocked_reason(provider=provider)
    if blocked:
        messages.error(request, blocked)
        return redirect("portal_service_list")
    groups = selectors.portal_subcategory_groups()
    if request.method == "POST" and "_refresh" in request.POST:
        form = _refresh_form(request, provider, groups)
    elif request.method == "POST":
        form = ServiceForm(request.POST, provider=provider, groups=groups)
        if form.is_valid():
            try:
                service = services.service_create(
                    provider=provider,
                    status=_status_from_post(request) or Service.Status.DRAFT,
                    **form.service_kwargs(),
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _saved_message(service, provider)
                    + " Next, add a few photos: listings with photos get more bookings.",
                )
                return redirect("portal_service_photos", pk=service.pk)
    else:
        form = ServiceForm(
            initial=ServiceForm.initial_for_new(provider=provider),
            provider=provider,
            groups=groups,
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "listings/portal/service_form.html", _form_context(provider, form), status=status
    )


@provider_required
@require_http_methods(["GET", "POST"])
def portal_service_edit(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    service = _own_service(provider, pk)
    blocked = services.provider_listings_blocked_reason(provider=provider)
    if blocked:
        messages.error(request, blocked)
        return redirect("portal_service_list")
    groups = selectors.portal_subcategory_groups()
    if request.method == "POST" and "_refresh" in request.POST:
        form = _refresh_form(request, provider, groups)
    elif request.method == "POST":
        form = ServiceForm(request.POST, provider=provider, groups=groups)
        if form.is_valid():
            try:
                service = services.service_update(
                    service=service, status=_status_from_post(request), **form.service_kwargs()
                )
            except DomainError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _saved_message(service, provider))
                return redirect("portal_service_list")
    else:
        form = ServiceForm(
            initial=ServiceForm.initial_from(service=service), provider=provider, groups=groups
        )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "listings/portal/service_form.html",
        _form_context(provider, form, service),
        status=status,
    )


@provider_required
@require_GET
def portal_service_attributes(request: HttpRequest, provider: ProviderProfile) -> HttpResponse:
    """The extra-field block for one subcategory, swapped into the form by listing-form.js."""
    subcategory_pk = parse_id(request.GET.get("subcategory"))
    subcategory = Subcategory.objects.filter(pk=subcategory_pk).first() if subcategory_pk else None
    form = forms.Form()
    form.fields.update(attribute_fields(subcategory=subcategory))
    service_pk = parse_id(request.GET.get("service"))
    if subcategory and service_pk:
        service = selectors.portal_service_get(provider=provider, pk=service_pk)
        if service and service.subcategory_id == subcategory.pk:
            form.initial = attribute_initial(attributes=service.attributes)
    return render(
        request,
        "listings/portal/_attribute_fields.html",
        {"subcategory": subcategory, "attribute_fields": list(form)},
    )


@provider_required
@require_http_methods(["GET", "POST"])
def portal_service_photos(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    service = _own_service(provider, pk)
    form = PhotoUploadForm()
    status = 200
    if request.method == "POST":
        form = PhotoUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                added = services.service_photos_add(
                    service=service, uploads=form.cleaned_data["photos"]
                )
            except DomainError as error:
                form_add_error(form, error, fields={"uploads": "photos"})
                status = error_status(error)
            else:
                count = len(added)
                messages.success(
                    request,
                    f"{count} photo{'s' if count != 1 else ''} added. "
                    "The first photo is the cover customers see in search results.",
                )
                return redirect("portal_service_photos", pk=service.pk)
        else:
            status = 400
    photos = selectors.portal_service_photos(service=service)
    return render(
        request,
        "listings/portal/service_photos.html",
        {
            "provider": provider,
            "service": service,
            "photos": photos,
            "form": form,
            "max_photos": services.MAX_PHOTOS_PER_SERVICE,
            "room": max(services.MAX_PHOTOS_PER_SERVICE - len(photos), 0),
            "blocked_reason": services.provider_listings_blocked_reason(provider=provider),
            "is_pending": provider.status == ProviderProfile.Status.PENDING,
        },
        status=status,
    )


def _photos_url(service: Service, photo_pk: int | None = None) -> str:
    url = reverse("portal_service_photos", kwargs={"pk": service.pk})
    return f"{url}#photo-{photo_pk}" if photo_pk else url


@provider_required
@require_POST
def portal_service_photo_move(
    request: HttpRequest, provider: ProviderProfile, pk: int, photo_pk: int
) -> HttpResponse:
    service = _own_service(provider, pk)
    photo = _own_photo(service, photo_pk)
    try:
        services.service_photo_move(photo=photo, direction=request.POST.get("direction", ""))
    except DomainError as error:
        messages_add_error(request, error)
    return redirect(_photos_url(service, photo.pk))


@provider_required
@require_POST
def portal_service_photo_delete(
    request: HttpRequest, provider: ProviderProfile, pk: int, photo_pk: int
) -> HttpResponse:
    service = _own_service(provider, pk)
    photo = _own_photo(service, photo_pk)
    try:
        services.service_photo_delete(photo=photo)
    except DomainError as error:
        messages_add_error(request, error)
    else:
        messages.success(request, "Photo deleted.")
    return redirect(_photos_url(service))


@provider_required
@require_POST
def portal_service_status(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    service = _own_service(provider, pk)
    status = request.POST.get("status", "")
    try:
        service = services.service_set_status(service=service, status=status, actor=request.user)
    except DomainError as error:
        messages_add_error(request, error)
    else:
        if service.status == Service.Status.PAUSED:
            messages.success(
                request,
                f"“{service.title}” is paused. Customers cannot see it until you activate it.",
            )
        else:
            messages.success(request, _saved_message(service, provider))
    return redirect_next(request, request.POST.get("next"), fallback=reverse("portal_service_list"))


@provider_required
@require_http_methods(["GET", "POST"])
def portal_service_delete(request: HttpRequest, provider: ProviderProfile, pk: int) -> HttpResponse:
    service = _own_service(provider, pk)
    if request.method == "POST":
        title = service.title
        try:
            removal = services.service_delete(service=service, actor=request.user)
        except DomainError as error:
            messages_add_error(request, error)
        else:
            messages.success(request, _removed_message(title, removal))
        return redirect("portal_service_list")
    return render(
        request,
        "listings/portal/service_delete.html",
        {
            "provider": provider,
            "service": service,
            "photo_count": service.photos.count(),
            "will_archive": services.service_is_referenced(service=service),
        },
    )


def _removed_message(title: str, removal: services.Removal) -> str:
    if removal == services.Removal.ARCHIVED:
        return (
            f"“{title}” is archived: customers can no longer find or book it. It has bookings, "
            "so we keep it for them: they still show its title and details."
        )
    return f"“{title}” is deleted, with its photos."
