"""Writes to the catalogue: every change happens here, inside a transaction."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, router, transaction
from django.db.models import Max, Q
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.text import slugify

from accounts.models import ProviderProfile, User
from marketplace.errors import Invalid, NotAllowed, WrongState
from marketplace.images import ImageRules, image_check_bytes, image_check_header
from marketplace.page_cache import pages_changed
from places.models import City

from .images import photo_files_from_upload, photo_rules
from .models import Service, ServicePhoto, Subcategory
from .policies import CancellationPolicy
from .selectors import service_drafts_to_expire, service_drafts_to_warn

# The largest number an extra attribute takes (lights, litres, square metres...).
MAX_ATTRIBUTE_NUMBER = 1_000_000_000
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0", ""}


def _clean_value(field: Mapping, raw: object) -> object:
    label = field["label"]
    kind = field["type"]
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise Invalid(f"{label}: answer yes or no.")
    text = str(raw).strip()
    if kind == "number":
        try:
            number = Decimal(text)
        except InvalidOperation as error:
            raise Invalid(f"{label}: enter a number.") from error
        if not number.is_finite() or not 0 <= number <= MAX_ATTRIBUTE_NUMBER:
            # Bounded: int() of "1e5000" has more digits than JSON may write.
            raise Invalid(f"{label}: enter a number from 0 to {MAX_ATTRIBUTE_NUMBER:,}.")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "choice":
        if text not in field["choices"]:
            raise Invalid(f"{label}: choose one of {', '.join(field['choices'])}.")
        return text
    if len(text) > 200:
        raise Invalid(f"{label}: keep it under 200 characters.")
    return text


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def service_attributes_clean(*, subcategory: Subcategory, raw: Mapping[str, object]) -> dict:
    """Check `raw` against the subcategory's schema; return typed values, or raise with every
    problem at once. Unknown keys are dropped; a blank optional field is left out."""
    cleaned: dict[str, object] = {}
    errors: list[str] = []
    for field in subcategory.attribute_schema:
        name = field["name"]
        value = raw.get(name)
        if _is_blank(value) and field["type"] != "boolean":
            if field.get("required"):
                errors.append(f"{field['label']}: this is required.")
            continue
        try:
            cleaned[name] = _clean_value(field, "" if value is None else value)
        except Invalid as error:
            errors.extend(error.messages)
    if errors:
        raise Invalid(errors)
    return cleaned


# Title words weigh most, then the subcategory and category names, then the description.
_SEARCH_VECTOR_SQL = """
UPDATE listings_service AS s SET search_vector =
    setweight(to_tsvector('english', s.title), 'A')
    || setweight(to_tsvector('english', sub.name || ' ' || cat.name), 'B')
    || setweight(to_tsvector('english', s.description), 'C')
FROM listings_subcategory AS sub
JOIN listings_category AS cat ON cat.id = sub.category_id
WHERE sub.id = s.subcategory_id
"""


def service_search_vectors_refresh(*, service_ids: Iterable[int] | None = None) -> None:
    """Recompute the stored search vectors of these services (all of them when None)."""
    with connection.cursor() as cursor:
        if service_ids is None:
            cursor.execute(_SEARCH_VECTOR_SQL)
        else:
            cursor.execute(_SEARCH_VECTOR_SQL + " AND s.id = ANY(%s)", [list(service_ids)])


_SEARCH_TERMS_SQL = """
WITH words AS (
    SELECT regexp_split_to_table(lower(s.title || ' ' || sub.name || ' ' || cat.name), '[^a-z]+')
        AS word
    FROM listings_service AS s
    JOIN accounts_providerprofile AS p ON p.id = s.provider_id
    JOIN listings_subcategory AS sub ON sub.id = s.subcategory_id
    JOIN listings_category AS cat ON cat.id = sub.category_id
    WHERE s.status = 'active' AND p.status = 'approved'
    UNION ALL
    SELECT regexp_split_to_table(lower(name), '[^a-z]+') FROM listings_city
    UNION ALL
    SELECT regexp_split_to_table(lower(name), '[^a-z]+') FROM listings_suburb
)
INSERT INTO listings_searchterm (word, frequency)
SELECT word, count(*) FROM words WHERE length(word) BETWEEN 3 AND 40 GROUP BY word
ON CONFLICT (word) DO UPDATE SET frequency = EXCLUDED.frequency
"""


def search_terms_refresh() -> None:
    """Rebuild the lexicon of catalogue words that typo correction matches against."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM listings_searchterm")
        cursor.execute(_SEARCH_TERMS_SQL)


# --- Provider portal ---

# Each listing shows at most this many photos; the upload form says so.
MAX_PHOTOS_PER_SERVICE = 10

# The moves a provider may make between statuses; "hidden" belongs to moderators alone.
_PROVIDER_TRANSITIONS: dict[str, set[str]] = {
    Service.Status.DRAFT: {Service.Status.ACTIVE},
    Service.Status.ACTIVE: {Service.Status.DRAFT, Service.Status.PAUSED},
    Service.Status.PAUSED: {Service.Status.ACTIVE},
}

# A provider chooses one of these when saving the listing form.
_SAVE_STATUSES = {Service.Status.DRAFT, Service.Status.ACTIVE}


def provider_listings_blocked_reason(*, provider: ProviderProfile) -> str:
    """Why this provider cannot create or change listings ("" when they can)."""
    if provider.status == ProviderProfile.Status.SUSPENDED:
        return (
            "Your provider profile is suspended, so you cannot create, change or publish "
            "listings. You can still pause or delete them."
        )
    if provider.status == ProviderProfile.Status.REJECTED:
        return (
            "We could not approve your provider profile, so you cannot create, change or "
            "publish listings. Edit your profile to send it back to us; once it is waiting "
            "for approval again you can work on your listings."
        )
    return ""


def _check_provider_may_change(provider: ProviderProfile) -> None:
    reason = provider_listings_blocked_reason(provider=provider)
    if reason:
        raise NotAllowed(reason)


def _check_service_fields(
    *,
    subcategory: Subcategory,
    title: str,
    description: str,
    price_type: str,
    price: Decimal | None,
    duration_minutes: int,
    service_radius_km: int,
    attributes: Mapping[str, object],
) -> tuple[Decimal | None, dict]:
    """Every field rule at once: returns (price, typed attributes) or raises Invalid with
    errors keyed by the argument names (which are the Service field names)."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["Give your listing a title."]
    if not description.strip():
        errors["description"] = ["Describe what you offer."]
    if price_type not in Service.PriceType.values:
        errors["price_type"] = ["Choose fixed price, hourly rate or on quote."]
    if price_type == Service.PriceType.QUOTE:
        price = None
    elif price is None:
        errors["price"] = ["Enter a price, or choose “On quote”."]
    elif price < 0 or price >= Decimal("10000000"):
        errors["price"] = ["Enter a price between $0 and $9,999,999."]
    if duration_minutes < 15:
        errors["duration_minutes"] = ["A job takes at least 15 minutes."]
    maximum = settings.PROVIDER_MAX_SERVICE_RADIUS_KM
    if not 1 <= service_radius_km <= maximum:
        errors["service_radius_km"] = [f"Choose a distance between 1 and {maximum} km."]
    try:
        cleaned_attributes = service_attributes_clean(subcategory=subcategory, raw=attributes)
    except Invalid as error:
        errors["attributes"] = error.messages
        cleaned_attributes = {}
    if errors:
        raise Invalid(fields=errors)
    return price, cleaned_attributes


def _check_policy(policy: str) -> str:
    if policy not in CancellationPolicy.values:
        raise Invalid(fields={"cancellation_policy": "Choose a cancellation policy."})
    return policy


def _service_point(*, provider: ProviderProfile, city: City) -> Point:
    """Where the listing is centred: the provider's own base in their base city, else the city."""
    return provider.base_point if city.pk == provider.base_city_id else city.point


def _service_slug(title: str) -> str:
    return slugify(title)[:140].strip("-") or "service"


@transaction.atomic
def service_create(
    *,
    provider: ProviderProfile,
    subcategory: Subcategory,
    city: City,
    title: str,
    description: str,
    price_type: str,
    price: Decimal | None,
    duration_minutes: int,
    instant_book: bool,
    service_radius_km: int,
    attributes: Mapping[str, object],
    status: str = Service.Status.DRAFT,
    cancellation_policy: str = CancellationPolicy.MODERATE,
) -> Service:
    """A new listing of `provider`, saved as a draft or published (active).

    A pending provider may publish: service_public() still keeps it off public pages until the
    provider is approved.
    """
    _check_provider_may_change(provider)
    if status not in _SAVE_STATUSES:
        raise Invalid(fields={"status": "Save the listing as a draft or publish it."})
    price, cleaned = _check_service_fields(
        subcategory=subcategory,
        title=title,
        description=description,
        price_type=price_type,
        price=price,
        duration_minutes=duration_minutes,
        service_radius_km=service_radius_km,
        attributes=attributes,
    )
    service = Service.objects.create(
        provider=provider,
        subcategory=subcategory,
        city=city,
        title=title.strip(),
        slug=_service_slug(title),
        description=description.strip(),
        price_type=price_type,
        price=price,
        duration_minutes=duration_minutes,
        point=_service_point(provider=provider, city=city),
        service_radius_km=service_radius_km,
        attributes=cleaned,
        status=status,
        instant_book=instant_book,
        cancellation_policy=_check_policy(cancellation_policy),
    )
    service_search_vectors_refresh(service_ids=[service.pk])
    pages_changed()
    return service


@transaction.atomic
def service_update(
    *,
    service: Service,
    subcategory: Subcategory,
    city: City,
    title: str,
    description: str,
    price_type: str,
    price: Decimal | None,
    duration_minutes: int,
    instant_book: bool,
    service_radius_km: int,
    attributes: Mapping[str, object],
    status: str | None = None,
    cancellation_policy: str = CancellationPolicy.MODERATE,
) -> Service:
    """Change a listing. `status` None keeps the current status; "draft" or "active" moves it
    there when the provider may make that move (never out of "hidden")."""
    locked = (
        Service.objects.select_for_update(of=("self",))
        .select_related("provider")
        .get(pk=service.pk)
    )
    provider = locked.provider
    _check_provider_may_change(provider)
    price, cleaned = _check_service_fields(
        subcategory=subcategory,
        title=title,
        description=description,
        price_type=price_type,
        price=price,
        duration_minutes=duration_minutes,
        service_radius_km=service_radius_km,
        attributes=attributes,
    )
    if city.pk != locked.city_id:
        locked.point = _service_point(provider=provider, city=city)
    locked.subcategory = subcategory
    locked.city = city
    locked.title = title.strip()
    locked.slug = _service_slug(title)
    locked.description = description.strip()
    locked.price_type = price_type
    locked.price = price
    locked.duration_minutes = duration_minutes
    locked.instant_book = instant_book
    locked.cancellation_policy = _check_policy(cancellation_policy)
    locked.service_radius_km = service_radius_km
    locked.attributes = cleaned
    if status is not None and status != locked.status:
        if status not in _SAVE_STATUSES:
            raise Invalid(fields={"status": "Save the listing as a draft or publish it."})
        # Checked against the new values: publishing re-checks the attributes just given.
        _check_provider_transition(locked, status)
        locked.status = status
    locked.save()
    service_search_vectors_refresh(service_ids=[locked.pk])
    pages_changed()
    return locked


def _check_provider_transition(service: Service, status: str) -> None:
    """Raise unless the listing's own provider may move it from its status to `status`."""
    if service.status == Service.Status.HIDDEN:
        raise NotAllowed(
            "Our moderators have hidden this listing, so only they can show it again. "
            "Reply to any email from us to ask why, or edit the listing to fix the problem."
        )
    if status == Service.Status.HIDDEN:
        raise NotAllowed("Only moderators can hide a listing.")
    if status not in _PROVIDER_TRANSITIONS.get(service.status, set()):
        raise WrongState(
            f"A {service.get_status_display().lower()} listing cannot be set to "
            f"{Service.Status(status).label.lower()}."
        )
    if status == Service.Status.ACTIVE:
        _check_provider_may_change(service.provider)
        try:
            service_attributes_clean(subcategory=service.subcategory, raw=service.attributes)
        except Invalid as error:
            raise Invalid(
                "Edit the listing before you publish it: " + " ".join(error.messages)
            ) from error


@transaction.atomic
def service_set_status(*, service: Service, status: str, actor: User) -> Service:
    """Publish, pause, unpublish, hide or show a listing.

    The listing's provider may go draft <-> active <-> paused (publishing only while pending or
    approved, and never out of "hidden"); staff may set any status.
    """
    if status not in Service.Status.values:
        raise Invalid(fields={"status": "Choose a listing status."})
    locked = (
        Service.objects.select_for_update(of=("self",))
        .select_related("provider", "subcategory")
        .get(pk=service.pk)
    )
    if locked.status == status:
        return locked
    if not actor.is_staff:
        if locked.provider.user_id != actor.pk:
            raise NotAllowed("Only the listing's provider can change it.")
        _check_provider_transition(locked, status)
    locked.status = status
    locked.save(update_fields=["status", "updated_at"])
    pages_changed()
    return locked


def _delete_files_on_commit(names: list[str]) -> None:
    """Delete these files once the transaction commits, unless another photo still uses one
    (the demo catalogue shares one picture between many listings)."""

    def delete() -> None:
        wanted = [name for name in names if name]
        if not wanted:
            return
        shared = ServicePhoto.objects.filter(Q(image__in=wanted) | Q(thumbnail__in=wanted))
        in_use = {name for pair in shared.values_list("image", "thumbnail") for name in pair}
        for name in wanted:
            if name not in in_use:
                default_storage.delete(name)

    transaction.on_commit(delete)


def _photo_file_names(photos: Iterable[ServicePhoto]) -> list[str]:
    return [name for photo in photos for name in (photo.image.name, photo.thumbnail.name)]


class Removal(StrEnum):
    DELETED = "deleted"
    ARCHIVED = "archived"


def service_is_referenced(*, service: Service) -> bool:
    """Whether rows elsewhere (bookings, quotes) keep this listing from being deleted.

    Asks Django's deletion collector, which knows every protecting foreign key, so the
    catalogue never has to import the apps that refer to it."""
    try:
        Collector(using=router.db_for_write(Service), origin=service).collect([service])
    except (ProtectedError, RestrictedError):
        return True
    return False


def _archive(service: Service) -> None:
    service.status = Service.Status.ARCHIVED
    service.save(update_fields=["status", "updated_at"])


def _remove(service: Service) -> Removal:
    """Delete a locked listing and its photos (the files once committed), or archive it when
    bookings or quotes refer to it."""
    if service_is_referenced(service=service):
        _archive(service)
        return Removal.ARCHIVED
    try:
        # A booking made since the check still protects the listing: archive it then too.
        with transaction.atomic():
            photo_files = _photo_file_names(service.photos.all())
            service.delete()
    except (ProtectedError, RestrictedError):
        _archive(service)
        return Removal.ARCHIVED
    _delete_files_on_commit(photo_files)
    return Removal.DELETED


@transaction.atomic
def service_delete(*, service: Service, actor: User) -> Removal:
    """Delete a listing and its photos (the files go once the deletion is committed), or,
    when bookings or quotes refer to it, archive it: off every public page and the portal's
    list, with its bookings (and their title) intact."""
    if not actor.is_staff and service.provider.user_id != actor.pk:
        raise NotAllowed("Only the listing's provider can delete it.")
    service = Service.objects.select_for_update(of=("self",)).get(pk=service.pk)
    if service.status == Service.Status.ARCHIVED:
        raise WrongState("This listing is already archived.")
    removal = _remove(service)
    pages_changed()
    return removal


def service_draft_notice_record(
    *, service_id: int, untouched_since: datetime, now: datetime
) -> Service | None:
    """Record, in the caller's transaction (which tells the provider), that this draft,
    untouched since before `untouched_since`, will be removed; returns it with its provider
    and city, or None when it is no longer owed a notice (touched, published, told already,
    or being edited right now: then the next run looks again)."""
    service = (
        service_drafts_to_warn(untouched_since=untouched_since)
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("provider__user", "city")
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        return None
    # update(), not save(): the notice must not count as touching the draft.
    Service.objects.filter(pk=service.pk).update(draft_notice_sent_at=now)
    service.draft_notice_sent_at = now
    return service


@transaction.atomic
def service_draft_expire(*, service_id: int, noticed_before: datetime) -> Removal | None:
    """Remove a draft whose provider was told before `noticed_before` and that nobody has
    touched since (deleted, or archived when bookings or quotes refer to it, as the portal's
    delete does); None when it is no longer due. Drafts are on no public page, so the page
    cache is left alone."""
    service = (
        service_drafts_to_expire(noticed_before=noticed_before)
        .select_for_update(of=("self",), skip_locked=True)
        .filter(pk=service_id)
        .first()
    )
    return _remove(service) if service else None


def _photos_renumber(service: Service) -> list[ServicePhoto]:
    """Positions 0, 1, 2... in the current order, writing only the photos that moved."""
    photos = list(service.photos.order_by("position", "id"))
    changed = []
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position
            changed.append(photo)
    if changed:
        ServicePhoto.objects.bulk_update(changed, ["position"])
    return photos


def _check_photo_room(*, existing: int, adding: int) -> None:
    room = MAX_PHOTOS_PER_SERVICE - existing
    if adding > room:
        raise Invalid(
            fields={
                "uploads": f"A listing can have up to {MAX_PHOTOS_PER_SERVICE} photos. "
                + (
                    f"It has {existing}, so you can add {room} more."
                    if room > 0
                    else "Delete one before you add another."
                )
            }
        )


_NOTHING_UPLOADED = "Nothing was uploaded: fix or leave out these files."


def _check_each(
    check: Callable[..., object], uploads: list[UploadedFile], rules: ImageRules
) -> None:
    """Run `check` on every upload; refuse naming every file that fails it."""
    errors = []
    for upload in uploads:
        try:
            check(upload=upload, rules=rules)
        except Invalid as error:
            errors.extend(error.messages)
    if errors:
        raise Invalid(fields={"uploads": [*errors, _NOTHING_UPLOADED]})


def service_photos_add(*, service: Service, uploads: list[UploadedFile]) -> list[ServicePhoto]:
    """Add photos to a listing, all or none.

    Cheapest refusals first, so a hostile request costs next to nothing: how many fit, then
    each file's size in bytes (no file opened yet), then each file's header (format and
    dimensions: nothing decoded). Only then is each photo decoded, re-encoded and stored, one
    at a time (never two decoded images at once), before a short transaction locks the
    listing, checks the room again and adds the rows. When anything fails, no row is added
    and every file already stored is deleted. Raises Invalid naming each bad file (or saying
    how many more photos fit).
    """
    if not uploads:
        raise Invalid(fields={"uploads": "Choose at least one photo to upload."})
    _check_provider_may_change(service.provider)
    _check_photo_room(existing=service.photos.count(), adding=len(uploads))
    rules = photo_rules()
    _check_each(image_check_bytes, uploads, rules)
    _check_each(image_check_header, uploads, rules)
    photos: list[ServicePhoto] = []
    try:
        for upload in uploads:
            try:
                photo_file, thumbnail_file = photo_files_from_upload(upload=upload)
            except Invalid as error:
                raise Invalid(fields={"uploads": [*error.messages, _NOTHING_UPLOADED]}) from error
            photo = ServicePhoto(service=service, alt_text=f"Photo of {service.title}")
            photos.append(photo)
            photo.image.save(photo_file.name, photo_file, save=False)
            photo.thumbnail.save(thumbnail_file.name, thumbnail_file, save=False)
        with transaction.atomic():
            locked = Service.objects.select_for_update().get(pk=service.pk)
            _check_photo_room(existing=locked.photos.count(), adding=len(uploads))
            last = locked.photos.aggregate(last=Max("position"))["last"]
            first = 0 if last is None else last + 1
            for position, photo in enumerate(photos, start=first):
                photo.service = locked
                photo.position = position
                photo.save()
            pages_changed()
    except BaseException:
        # No row was added: take back the files already written.
        for photo in photos:
            for name in (photo.image.name, photo.thumbnail.name):
                if name:
                    default_storage.delete(name)
        raise
    return photos


@transaction.atomic
def service_photo_move(*, photo: ServicePhoto, direction: str) -> ServicePhoto:
    """Move a photo one place "up" (earlier) or "down" (later); the first photo is the cover."""
    if direction not in ("up", "down"):
        raise Invalid(fields={"direction": "Move a photo up or down."})
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("provider")
        .get(pk=photo.service_id)
    )
    _check_provider_may_change(service.provider)
    photos = _photos_renumber(service)
    index = next((i for i, p in enumerate(photos) if p.pk == photo.pk), None)
    if index is None:
        raise WrongState("That photo is no longer on this listing.")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(photos):
        return photos[index]
    first, second = photos[index], photos[other]
    first.position, second.position = second.position, first.position
    ServicePhoto.objects.bulk_update([first, second], ["position"])
    pages_changed()
    return first


@transaction.atomic
def service_photos_order(*, service: Service, photo_ids: Sequence[int]) -> list[ServicePhoto]:
    """Put every photo of a listing in this order (each once); the first is the cover."""
    locked = (
        Service.objects.select_for_update(of=("self",))
        .select_related("provider")
        .get(pk=service.pk)
    )
    _check_provider_may_change(locked.provider)
    photos = {photo.pk: photo for photo in locked.photos.all()}
    if sorted(photo_ids) != sorted(photos):
        raise Invalid(fields={"photos": "List every photo of this listing once, in the new order."})
    for position, pk in enumerate(photo_ids):
        photos[pk].position = position
    ServicePhoto.objects.bulk_update(list(photos.values()), ["position"])
    pages_changed()
    return [photos[pk] for pk in photo_ids]


@transaction.atomic
def service_photo_delete(*, photo: ServicePhoto) -> None:
    """Delete a photo; its files go once the deletion is committed."""
    service = (
        Service.objects.select_for_update(of=("self",))
        .select_related("provider")
        .get(pk=photo.service_id)
    )
    _check_provider_may_change(service.provider)
    _delete_files_on_commit(_photo_file_names([photo]))
    photo.delete()
    _photos_renumber(service)
    pages_changed()
