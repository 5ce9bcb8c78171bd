"""The catalogue API: categories, search, a service's detail, and a provider's own services.

Thin: the search runs through the search page's own functions (listings.filters and
listings.search), the detail through service_for_viewer, and every change through
listings.services, exactly as the portal's pages call them (listings/portal_views.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404, QueryDict
from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_for_user
from marketplace.api import PagePagination
from marketplace.errors import Invalid
from marketplace.params import MAX_ID, parse_id, parse_int
from marketplace.replicas import ReplicaReadsAPIMixin
from places.models import City

from . import selectors, services
from .filters import ServiceSearchFilter, search_filters_bind
from .models import Category, Service, ServicePhoto, Subcategory
from .policies import CancellationPolicy
from .search import (
    ParsedQuery,
    SearchPage,
    providers_named,
    search_place_find,
    search_query_parse,
    service_search,
)

# "Search instead for ...": the words as typed, never corrected (the page's parameter too).
AS_TYPED = "as_typed"
MAX_SEARCH_PAGE_SIZE = 100
# The largest attributes object a listing takes: its subcategory's schema has far fewer.
MAX_ATTRIBUTES = 50
# The catalogue changes a few times a year: clients and shared caches may keep it an hour.
CATALOGUE_MAX_AGE = 3600


# --- Shapes ------------------------------------------------------------------------------------


class SubcategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Subcategory
        fields = ["id", "name", "slug", "description", "attribute_schema"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer):
    subcategories = SubcategorySerializer(many=True, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "subcategories"]
        read_only_fields = fields


class NodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.CharField(read_only=True)


class CityBriefSerializer(NodeSerializer):
    state = serializers.CharField(read_only=True)


class ProviderBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProviderProfile
        fields = ["id", "business_name", "slug"]
        read_only_fields = fields


class PhotoSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePhoto
        fields = ["id", "image", "thumbnail", "width", "height", "alt_text", "position"]
        read_only_fields = fields


class ServiceCardSerializer(serializers.ModelSerializer):
    """A search result or a list row: what a service card shows."""

    url = serializers.CharField(source="get_absolute_url", read_only=True)
    provider = ProviderBriefSerializer(read_only=True)
    subcategory = NodeSerializer(read_only=True)
    category = NodeSerializer(source="subcategory.category", read_only=True)
    city = CityBriefSerializer(read_only=True)
    cover = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()

    class Meta:
        model = Service
        fields = [
            "id", "title", "slug", "url", "provider", "subcategory", "category", "city",
            "price_type", "price", "duration_minutes", "instant_book", "rating_average",
            "rating_count", "cover", "distance_km",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(PhotoSerializer(allow_null=True))
    def get_cover(self, service: Service) -> dict | None:
        photos = list(service.photos.all())  # prefetched by service_cards
        return PhotoSerializer(photos[0], context=self.context).data if photos else None

    def get_distance_km(self, service: Service) -> float | None:
        distance = getattr(service, "distance_km", None)
        return None if distance is None else round(distance, 1)


class ServiceDetailSerializer(ServiceCardSerializer):
    """A service's page: its photos, attributes and rating figures (the 5-to-1 breakdown of
    its reviews is the reviews API's: /api/services/<id>/reviews/)."""

    subcategory = SubcategorySerializer(read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)
    is_public = serializers.BooleanField(read_only=True)
    # Reviewed by name (reverse), so listings imports nothing of the reviews app above it.
    reviews_url = serializers.SerializerMethodField(
        help_text="The reviews, newest first, with the 5-to-1 breakdown in their summary."
    )

    class Meta(ServiceCardSerializer.Meta):
        fields = [
            *ServiceCardSerializer.Meta.fields,
            "description", "attributes", "photos", "cancellation_policy", "service_radius_km",
            "status", "is_public", "reviews_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reviews_url(self, service: Service) -> str:
        return reverse("api_service_reviews", args=[service.pk])


class ServiceWriteSerializer(serializers.Serializer):
    """What a provider sends to create or change a listing. Status, rating and provider are
    not among them: they change through the actions and the reviews alone."""

    subcategory = serializers.PrimaryKeyRelatedField(
        queryset=Subcategory.objects.all(), pk_field=serializers.IntegerField(max_value=MAX_ID)
    )
    city = serializers.PrimaryKeyRelatedField(
        queryset=City.objects.all(), pk_field=serializers.IntegerField(max_value=MAX_ID)
    )
    title = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=5000)
    price_type = serializers.ChoiceField(choices=Service.PriceType.choices)
    price = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal(0), allow_null=True, required=False
    )
    duration_minutes = serializers.IntegerField(min_value=15, max_value=60 * 24 * 14, default=60)
    instant_book = serializers.BooleanField(default=False)
    cancellation_policy = serializers.ChoiceField(
        choices=CancellationPolicy.choices, default=CancellationPolicy.MODERATE
    )
    service_radius_km = serializers.IntegerField(
        min_value=1, max_value=settings.PROVIDER_MAX_SERVICE_RADIUS_KM
    )
    attributes = serializers.DictField(
        child=serializers.JSONField(), required=False, default=dict,
        help_text="The subcategory's extra fields (its attribute_schema), by name.",
    )  # fmt: skip

    def validate_attributes(self, value: Mapping) -> dict:
        if len(value) > MAX_ATTRIBUTES:
            raise serializers.ValidationError(f"Send at most {MAX_ATTRIBUTES} attributes.")
        for name, item in value.items():
            if not (item is None or isinstance(item, (str, int, float, bool))):
                raise serializers.ValidationError(f"{name}: send text, a number or true/false.")
            if isinstance(item, str) and len(item) > 1000:
                raise serializers.ValidationError(f"{name}: keep it under 200 characters.")
        return dict(value)


def _service_kwargs(*, data: Mapping, service: Service | None = None) -> dict:
    """The arguments of service_create / service_update: what was sent, and for a PATCH the
    listing's current values for what was not."""
    names = [
        "subcategory", "city", "title", "description", "price_type", "price",
        "duration_minutes", "instant_book", "cancellation_policy", "service_radius_km",
        "attributes",
    ]  # fmt: skip
    if service is None:
        return {name: data.get(name) for name in names}
    return {name: data[name] if name in data else getattr(service, name) for name in names}


class PhotoUploadSerializer(serializers.Serializer):
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        min_length=1,
        max_length=services.MAX_PHOTOS_PER_SERVICE,
    )


class PhotoOrderSerializer(serializers.Serializer):
    photos = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=services.MAX_PHOTOS_PER_SERVICE,
        help_text="The listing's photo ids in their new order; the first is the cover.",
    )


class RemovalSerializer(serializers.Serializer):
    removal = serializers.ChoiceField(choices=[removal.value for removal in services.Removal])


class ThumbnailSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServicePhoto
        fields = ["id", "thumbnail", "alt_text", "position"]
        read_only_fields = fields


class MineSerializer(serializers.ModelSerializer):
    """A row of the provider's own list (what portal_service_list loads, nothing more)."""

    url = serializers.CharField(source="get_absolute_url", read_only=True)
    subcategory = NodeSerializer(read_only=True)
    category = NodeSerializer(source="subcategory.category", read_only=True)
    city = CityBriefSerializer(read_only=True)
    photos = ThumbnailSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id", "title", "slug", "url", "status", "subcategory", "category", "city",
            "price_type", "price", "instant_book", "rating_average", "rating_count", "photos",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


# --- Categories -------------------------------------------------------------------------------


@extend_schema(tags=["catalogue"], summary="The catalogue: categories, subcategories, schemas.")
class CategoryListView(ReplicaReadsAPIMixin, generics.ListAPIView):
    serializer_class = CategorySerializer
    permission_classes = [AllowAny]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Category]:
        return Category.objects.prefetch_related(
            Prefetch("subcategories", queryset=Subcategory.objects.order_by("position", "name"))
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code == 200:
            response["Cache-Control"] = f"public, max-age={CATALOGUE_MAX_AGE}"
        return response


# --- Search -----------------------------------------------------------------------------------


def _as_typed_query(params: QueryDict) -> str:
    kept = params.copy()
    kept.pop("page", None)
    kept[AS_TYPED] = "1"
    return kept.urlencode()


def _search(params: QueryDict) -> tuple[SearchPage, dict]:
    """One page of results for the search page's parameters, and what the page would say
    about them: the correction, the place, the providers named, the notes."""
    filterset, notes = search_filters_bind(params, queryset=selectors.service_public())
    data = filterset.form.cleaned_data
    where = data.get("where") or ""
    place, place_notes = search_place_find(
        latitude=data.get("lat"), longitude=data.get("lng"), where=where
    )
    notes += place_notes
    query = data.get("q") or ""
    as_typed = params.get(AS_TYPED) == "1"
    parsed = ParsedQuery(text="")
    if query:
        parsed = search_query_parse(
            query=query, find_place=place is None and not where, correct=not as_typed
        )
        place = place or parsed.place
    providers = providers_named(text=parsed.text) if parsed.text else []
    page = service_search(
        services=filterset.qs,
        text=parsed.text,
        corrected=parsed.corrected,
        here=place.point if place else None,
        within_km=data.get("radius_km"),
        sort=data.get("sort") or "",
        page=parse_int(params.get("page"), minimum=1) or 1,
        page_size=parse_int(params.get("page_size"), minimum=1, maximum=MAX_SEARCH_PAGE_SIZE)
        or PagePagination.page_size,
        provider_ids=[provider.pk for provider in providers],
        as_cards=False,
    )
    # The correction stands only when the words as typed found little.
    parsed = replace(parsed, corrected=page.corrected)
    meta = {
        "query": parsed.text,
        "corrected": parsed.corrected,
        "as_typed": as_typed,
        "as_typed_query": _as_typed_query(params) if parsed.corrected else "",
        "exact_matches": page.exact_matches,
        "sort": page.sort,
        "place": None
        if place is None
        else {
            "label": place.label,
            "kind": place.kind,
            "latitude": round(place.latitude, 5),
            "longitude": round(place.longitude, 5),
        },
        "providers": providers,
        "notes": [*notes, *page.notes],
    }
    return page, meta


class SearchPlaceSerializer(serializers.Serializer):
    label = serializers.CharField()
    kind = serializers.ChoiceField(choices=["city", "suburb", "point"])
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class SearchMetaSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The words searched for, place words taken out.")
    corrected = serializers.CharField(
        help_text="The words with typos corrected, when the results are for them; else empty."
    )
    as_typed = serializers.BooleanField(help_text="Whether correction was turned off.")
    as_typed_query = serializers.CharField(
        help_text="The query string that searches for the words as typed (with a correction)."
    )
    exact_matches = serializers.BooleanField(
        help_text="False when only the corrected words matched."
    )
    sort = serializers.CharField()
    place = SearchPlaceSerializer(allow_null=True)
    providers = ProviderBriefSerializer(many=True, help_text="Providers the words name.")
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="What could not be used, and why."
    )


class SearchResultsSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ServiceCardSerializer(many=True)
    meta = SearchMetaSerializer()


def _page_url(request: Request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


_SEARCH_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number (1 to the last)."),
    OpenApiParameter("page_size", int, description=f"Results a page, 1 to {MAX_SEARCH_PAGE_SIZE}."),
    OpenApiParameter(AS_TYPED, str, enum=["1"], description="1: search the words as typed."),
]


# --- Services ---------------------------------------------------------------------------------


class IsProvider(permissions.BasePermission):
    """Signed in with a provider profile (pending too, as the portal allows); the services
    refuse a suspended or rejected provider's changes with their own message."""

    message = "Only providers can manage listings."

    def has_permission(self, request, view) -> bool:
        profile = provider_profile_for_user(user=request.user)
        request.provider_profile = profile
        return profile is not None


class _SearchIsOneObject(AutoSchema):
    """The search (the viewset's `list`) answers one object, its page of results inside with
    `meta`, not a bare array: drf-spectacular takes every `list` action for an array."""

    def _is_list_view(self, serializer=None) -> bool:
        if getattr(self.view, "action", None) == "list":
            return False
        return super()._is_list_view(serializer)


class ServiceViewSet(ReplicaReadsAPIMixin, viewsets.GenericViewSet):
    """Public search and detail; a provider's own listings and photos."""

    schema = _SearchIsOneObject()

    queryset = Service.objects.none()  # every action reads through the selectors
    serializer_class = ServiceDetailSerializer
    filterset_class = ServiceSearchFilter
    pagination_class = None
    lookup_value_regex = "[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("list", "retrieve"):
            return [AllowAny()]
        return [permissions.IsAuthenticated(), IsProvider()]

    def filter_queryset(self, queryset):
        return queryset  # the search applies the filters itself (listings.search)

    def _own(self) -> Service:
        pk = parse_id(self.kwargs.get("pk"))
        service = (
            selectors.portal_service_get(provider=self.request.provider_profile, pk=pk)
            if pk
            else None
        )
        if service is None:
            raise Http404("No such listing.")
        return service

    def _detail(self, pk: int | None) -> Response:
        """The service as its page shows it to the caller: public, or the caller's own."""
        found = selectors.service_for_viewer(pk=pk, user=self.request.user) if pk else None
        if found is None:  # no such service, someone else's draft, or archived
            raise Http404("No such listing.")
        service, _is_public = found
        return Response(
            ServiceDetailSerializer(service, context=self.get_serializer_context()).data
        )

    @extend_schema(
        tags=["services"],
        summary="Search public services: the search page's words, place, filters and sorts.",
        parameters=_SEARCH_PARAMETERS,
        responses=SearchResultsSerializer,
        operation_id="services_list",
    )
    def list(self, request: Request) -> Response:
        page, meta = _search(request.query_params)
        context = self.get_serializer_context()
        meta["providers"] = ProviderBriefSerializer(meta["providers"], many=True).data
        return Response(
            {
                "page": page.page,
                "next": _page_url(request, page.page + 1) if page.has_next else None,
                "previous": _page_url(request, page.page - 1) if page.has_previous else None,
                "results": ServiceCardSerializer(page.results, many=True, context=context).data,
                "meta": meta,
            }
        )

    @extend_schema(tags=["services"], summary="A public service, or one of the caller's own.")
    def retrieve(self, request: Request, pk: str) -> Response:
        return self._detail(parse_id(pk))

    @extend_schema(
        tags=["services"],
        summary="Create a listing (a draft: publish it with the publish action).",
        request=ServiceWriteSerializer,
        responses={201: ServiceDetailSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = ServiceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service = services.service_create(
            provider=request.provider_profile,
            status=Service.Status.DRAFT,
            **_service_kwargs(data=serializer.validated_data),
        )
        response = self._detail(service.pk)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        tags=["services"],
        summary="Change one's own listing (its status stays).",
        request=ServiceWriteSerializer(partial=True),
        responses=ServiceDetailSerializer,
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        service = self._own()
        serializer = ServiceWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        service = services.service_update(
            service=service, **_service_kwargs(data=serializer.validated_data, service=service)
        )
        return self._detail(service.pk)

    @extend_schema(
        tags=["services"],
        summary="Delete one's own listing; archived instead when bookings or quotes refer to it.",
        responses=RemovalSerializer,
    )
    def destroy(self, request: Request, pk: str) -> Response:
        removal = services.service_delete(service=self._own(), actor=request.user)
        return Response({"removal": removal.value})

    def _set_status(self, status_to: str) -> Response:
        service = services.service_set_status(
            service=self._own(), status=status_to, actor=self.request.user
        )
        return self._detail(service.pk)

    @extend_schema(tags=["services"], request=None, responses=ServiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        """Make one's own listing active (public once the provider is approved)."""
        return self._set_status(Service.Status.ACTIVE)

    @extend_schema(tags=["services"], request=None, responses=ServiceDetailSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str) -> Response:
        """Take one's own listing off the public pages until it is published again."""
        return self._set_status(Service.Status.PAUSED)

    @extend_schema(
        tags=["services"],
        summary="The caller's own listings, whatever their status (archived ones too).",
        responses=MineSerializer(many=True),
    )
    @action(detail=False, methods=["get"], pagination_class=PagePagination, filter_backends=[])
    def mine(self, request: Request) -> Response:
        listings = selectors.portal_service_list(provider=request.provider_profile)
        page = self.paginate_queryset(listings)
        data = MineSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)

    @extend_schema(
        tags=["services"],
        summary="Add photos to one's own listing (multipart, all or none).",
        request={"multipart/form-data": PhotoUploadSerializer},
        responses={201: PhotoSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def photos(self, request: Request, pk: str) -> Response:
        service = self._own()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            added = services.service_photos_add(
                service=service, uploads=serializer.validated_data["photos"]
            )
        except Invalid as error:
            raise _renamed(error, {"uploads": "photos"}) from error
        data = PhotoSerializer(added, many=True, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(tags=["services"], request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"photos/(?P<photo_id>[0-9]+)")
    def photo_delete(self, request: Request, pk: str, photo_id: str) -> Response:
        """Delete a photo of one's own listing."""
        service = self._own()
        photo_pk = parse_id(photo_id)
        photo = (
            ServicePhoto.objects.filter(pk=photo_pk, service=service).first() if photo_pk else None
        )
        if photo is None:
            raise Http404("No such photo.")
        services.service_photo_delete(photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        tags=["services"], request=PhotoOrderSerializer, responses=PhotoSerializer(many=True)
    )
    @action(detail=True, methods=["post"], url_path="photos/order")
    def photos_order(self, request: Request, pk: str) -> Response:
        """Order the photos of one's own listing: every photo id once; the first is the cover."""
        service = self._own()
        serializer = PhotoOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ordered = services.service_photos_order(
            service=service, photo_ids=serializer.validated_data["photos"]
        )
        return Response(
            PhotoSerializer(ordered, many=True, context=self.get_serializer_context()).data
        )


def _renamed(error: Invalid, names: Mapping[str, str]) -> Invalid:
    """The same refusal with its fields named as the API names them."""
    fields = {names.get(name, name): messages for name, messages in error.fields.items()}
    return Invalid(error.general, fields=fields, code=error.code)
