"""The reviews API: submit and edit a review, a service's or a provider's published reviews
with their summary, the provider's reply, and reports.

Thin, as the pages are: lookups go through reviews.selectors (another user's review is a
404; a held or hidden one is a 404 to everyone but its author), every decision and message
comes from reviews.services / reviews.rules, and marketplace.api maps their errors.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ProviderProfile
from accounts.selectors import provider_profile_for_user
from bookings.models import Booking
from listings.models import Service
from listings.selectors import provider_public_get, service_public
from marketplace.api import validated
from marketplace.client_address import client_info
from marketplace.params import MAX_ID
from marketplace.replicas import ReplicaReadsAPIMixin

from . import selectors, services
from .models import (
    REPLY_MAX_LENGTH,
    REPORT_DETAILS_MAX_LENGTH,
    REVIEW_MAX_PHOTOS,
    REVIEW_TEXT_MAX_LENGTH,
    Review,
    ReviewReport,
    ReviewResponse,
)
from .templatetags.review_tags import MAX_PAGE, short_name

STAR_FIELDS = ("rating", *services.SUB_RATINGS)


# --- output ------------------------------------------------------------------------------


class ReviewPhotoSerializer(serializers.Serializer):
    thumb_url = serializers.SerializerMethodField()
    full_url = serializers.SerializerMethodField()

    def get_thumb_url(self, photo) -> str:
        return reverse("review_photo_thumb", kwargs={"key": photo.key})

    def get_full_url(self, photo) -> str:
        return reverse("review_photo", kwargs={"key": photo.key})


class ReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewResponse
        fields = ["text", "created_at", "edited_at"]
        read_only_fields = fields


class ReviewSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    photos = ReviewPhotoSerializer(many=True, read_only=True)
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "service",
            "provider",
            "author_name",
            *STAR_FIELDS,
            "text",
            "status",
            "created_at",
            "edited_at",
            "published_at",
            "photos",
            "reply",
        ]
        read_only_fields = fields

    def get_author_name(self, review: Review) -> str:
        return short_name(review.author)

    @extend_schema_field(ReplySerializer(allow_null=True))
    def get_reply(self, review: Review) -> dict | None:
        try:
            response = review.response
        except ReviewResponse.DoesNotExist:
            return None
        return ReplySerializer(response).data


class BreakdownSerializer(serializers.Serializer):
    stars = serializers.IntegerField()
    count = serializers.IntegerField()


class SummarySerializer(serializers.Serializer):
    average = serializers.DecimalField(max_digits=3, decimal_places=2)
    count = serializers.IntegerField()
    breakdown = BreakdownSerializer(many=True)


class ReviewListSerializer(serializers.Serializer):
    summary = SummarySerializer()
    page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReviewSerializer(many=True)


# --- input -------------------------------------------------------------------------------


def _stars(*, required: bool) -> serializers.IntegerField:
    # Bounded for the schema; the service still decides (and words the message).
    return serializers.IntegerField(
        min_value=1, max_value=5, required=required, allow_null=not required
    )


class ReviewInputSerializer(serializers.Serializer):
    rating = _stars(required=True)
    quality = _stars(required=False)
    punctuality = _stars(required=False)
    communication = _stars(required=False)
    value = _stars(required=False)
    text = serializers.CharField(
        max_length=REVIEW_TEXT_MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )


class ReviewSubmitSerializer(ReviewInputSerializer):
    booking = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    photos = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        max_length=REVIEW_MAX_PHOTOS,
        required=False,
        default=list,
    )


class ReviewEditSerializer(ReviewInputSerializer):
    """PATCH: what is left out keeps its value."""

    rating = _stars(required=False)
    text = serializers.CharField(
        max_length=REVIEW_TEXT_MAX_LENGTH,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
    )


class ReplyInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=REPLY_MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )


class ReportInputSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReviewReport.Reason.choices)
    details = serializers.CharField(
        max_length=REPORT_DETAILS_MAX_LENGTH,
        allow_blank=True,
        trim_whitespace=False,
        required=False,
        default="",
    )


class ReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewReport
        fields = ["id", "review", "reason", "details", "status", "created_at"]
        read_only_fields = fields


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, required=False, default=1)


def _pk(pk: int) -> int:
    if pk > MAX_ID:
        raise Http404("No such review.")
    return pk


# --- views -------------------------------------------------------------------------------


class ReviewCreateView(APIView):
    """A customer reviews their completed booking (JSON, or multipart with photos)."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="reviews_create",
        request={
            "application/json": ReviewSubmitSerializer,
            "multipart/form-data": ReviewSubmitSerializer,
        },
        responses={201: ReviewSerializer},
        description="Published, or held for the moderators (`status` says which).",
    )
    def post(self, request: Request) -> Response:
        data = validated(ReviewSubmitSerializer, request.data)
        booking = (
            Booking.objects.filter(pk=data["booking"], customer=request.user)
            .select_related("service", "provider")
            .first()
        )
        if booking is None:
            raise Http404("No such booking.")
        review = services.review_submit(
            booking=booking,
            author=request.user,
            photos=data["photos"],
            client=client_info(request),
            text=data["text"],
            **{name: data.get(name) for name in STAR_FIELDS},
        )
        return Response(
            ReviewSerializer(_reloaded(review.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


def _reloaded(pk: int) -> Review:
    return Review.objects.select_related("author", "response").prefetch_related("photos").get(pk=pk)


class ReviewDetailView(APIView):
    """A published review (anyone); the author also sees their held or hidden one, and edits
    it within the edit window."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(operation_id="reviews_retrieve", responses={200: ReviewSerializer})
    def get(self, request: Request, pk: int) -> Response:
        review = selectors.review_public_get(pk=_pk(pk)) or selectors.review_for_author(
            user=request.user, pk=pk
        )
        if review is None:
            raise Http404("No such review.")
        return Response(ReviewSerializer(_reloaded(review.pk), context={"request": request}).data)

    @extend_schema(
        operation_id="reviews_partial_update",
        request=ReviewEditSerializer,
        responses={200: ReviewSerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        review = selectors.review_for_author(user=request.user, pk=_pk(pk))
        if review is None:
            raise Http404("No such review.")
        data = validated(ReviewEditSerializer, request.data)
        given = {name: data.get(name, getattr(review, name)) for name in STAR_FIELDS}
        review = services.review_edit(
            review=review, author=request.user, text=data.get("text", review.text), **given
        )
        return Response(ReviewSerializer(_reloaded(review.pk), context={"request": request}).data)


def _provider_review(request: Request, pk: int) -> Review:
    """The signed-in provider's own published review (another provider's is a 404); 403 for
    a user with no provider profile."""
    provider = provider_profile_for_user(user=request.user)
    if provider is None:
        raise exceptions.PermissionDenied("Only providers can reply to reviews.")
    review = selectors.review_for_provider(provider=provider, pk=_pk(pk))
    if review is None or review.status != Review.Status.PUBLISHED:
        # A held or hidden review is its author's and the moderators' only.
        raise Http404("No such review.")
    return review


class ReviewReplyView(APIView):
    """The reviewed provider's one public reply (POST), and its change (PATCH)."""

    @extend_schema(
        operation_id="reviews_reply_create",
        request=ReplyInputSerializer,
        responses={201: ReplySerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        review = _provider_review(request, pk)
        data = validated(ReplyInputSerializer, request.data)
        response = services.review_reply(review=review, user=request.user, text=data["text"])
        return Response(ReplySerializer(response).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="reviews_reply_partial_update",
        request=ReplyInputSerializer,
        responses={200: ReplySerializer},
    )
    def patch(self, request: Request, pk: int) -> Response:
        review = _provider_review(request, pk)
        try:
            response = review.response
        except ReviewResponse.DoesNotExist:
            raise Http404("This review has no reply yet.") from None
        data = validated(ReplyInputSerializer, request.data)
        response = services.review_reply_edit(
            response=response, user=request.user, text=data["text"]
        )
        return Response(ReplySerializer(response).data)


class ReviewReportView(APIView):
    """Anyone signed in but the author reports a published review to the moderators."""

    @extend_schema(
        operation_id="reviews_report_create",
        request=ReportInputSerializer,
        responses={201: ReportSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        review = selectors.review_public_get(pk=_pk(pk))
        if review is None or review.author_id == request.user.pk:
            raise Http404("No such review.")
        data = validated(ReportInputSerializer, request.data)
        report = services.review_report(
            review=review, reporter=request.user, reason=data["reason"], details=data["details"]
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)


def _review_list(request: Request, *, figures: Service | ProviderProfile, scope: dict) -> Response:
    """Published reviews, newest first, selectors.PAGE_SIZE a page, with the summary: the
    average and count (the figures reviews.aggregates keeps) and the 5-to-1 breakdown."""
    page_number = validated(PageQuerySerializer, request.query_params)["page"]
    if figures.rating_count:
        breakdown = selectors.rating_breakdown(**scope)
        loader = selectors.service_reviews if "service" in scope else selectors.provider_reviews
        page = loader(page=page_number, **scope)
        reviews, has_next = page.reviews, page.has_next
    else:  # no published review: nothing to query
        breakdown, reviews, has_next = [], [], False
    body = {
        "summary": {
            "average": figures.rating_average,
            "count": figures.rating_count,
            "breakdown": [{"stars": row.stars, "count": row.count} for row in breakdown]
            or [{"stars": stars, "count": 0} for stars in range(5, 0, -1)],
        },
        "page": page_number,
        "next": _page_url(request, page_number + 1) if has_next else None,
        "previous": _page_url(request, page_number - 1) if page_number > 1 else None,
        "results": reviews,
    }
    return Response(ReviewListSerializer(body, context={"request": request}).data)


def _page_url(request: Request, page: int) -> str:
    return request.build_absolute_uri(f"{request.path}?page={page}")


_LIST_SCHEMA = {
    "parameters": [
        OpenApiParameter("page", int, description=f"From 1 to {MAX_PAGE}; 10 reviews a page.")
    ],
    "responses": {200: ReviewListSerializer},
}


class ServiceReviewListView(ReplicaReadsAPIMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="services_reviews_list", **_LIST_SCHEMA)
    def get(self, request: Request, pk: int) -> Response:
        service = (
            service_public().filter(pk=pk).only("pk", "rating_average", "rating_count").first()
            if pk <= MAX_ID
            else None
        )
        if service is None:
            raise Http404("No such service.")
        return _review_list(request, figures=service, scope={"service": service})


class ProviderReviewListView(ReplicaReadsAPIMixin, APIView):
    permission_classes = [AllowAny]

    @extend_schema(operation_id="providers_reviews_list", **_LIST_SCHEMA)
    def get(self, request: Request, slug: str) -> Response:
        provider = provider_public_get(slug=slug)
        if provider is None:
            raise Http404("No such provider.")
        return _review_list(request, figures=provider, scope={"provider": provider})
