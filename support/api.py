"""The support API: a person's cases and reporting a problem, one case, and its messages
(read and write).

Thin, as the pages are: support.selectors scopes every case to its booking's two parties and
the moderators (anyone else gets a 404), and support.services decides, raising the errors
marketplace.api maps.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from marketplace.api import validated
from marketplace.params import MAX_ID

from . import rules, selectors, services
from .models import CASE_MAX_PHOTOS, DESCRIPTION_MAX_LENGTH, MESSAGE_MAX_LENGTH, Case, CaseMessage

# --- output ------------------------------------------------------------------------------


class CasePhotoSerializer(serializers.Serializer):
    thumb_url = serializers.SerializerMethodField()
    full_url = serializers.SerializerMethodField()

    def get_thumb_url(self, photo) -> str:
        return reverse("case_photo_thumb", kwargs={"key": photo.key})

    def get_full_url(self, photo) -> str:
        return reverse("case_photo", kwargs={"key": photo.key})


_REASONS = "One of: " + ", ".join(f'"{value}" ({label})' for value, label in Case.Reason.choices)


class CaseSerializer(serializers.ModelSerializer):
    # Plain strings (the schema's enum names are project-wide; the labels say it in words).
    reason = serializers.CharField(help_text=_REASONS)
    state = serializers.CharField(help_text='"open" or "closed".')
    outcome = serializers.CharField(help_text='"customer", "provider", "no_action", or "".')
    service_title = serializers.CharField(source="booking.service.title")
    reason_label = serializers.CharField(source="get_reason_display")
    outcome_label = serializers.CharField(source="get_outcome_display")
    opened_by_me = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", help_text="The case's page.")

    class Meta:
        model = Case
        fields = [
            "id",
            "booking",
            "service_title",
            "reason",
            "reason_label",
            "description",
            "state",
            "outcome",
            "outcome_label",
            "outcome_note",
            "refunded_cents",
            "opened_by_me",
            "opened_at",
            "closed_at",
            "url",
        ]
        read_only_fields = fields

    def get_opened_by_me(self, case: Case) -> bool:
        return case.opened_by_id == self.context["request"].user.pk


class CaseDetailSerializer(CaseSerializer):
    photos = serializers.SerializerMethodField(help_text="The photos sent with the report.")

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "photos"]
        read_only_fields = fields

    @extend_schema_field(CasePhotoSerializer(many=True))
    def get_photos(self, case: Case) -> list[dict]:
        return CasePhotoSerializer(selectors.case_report_photos(case=case), many=True).data


class CaseMessageSerializer(serializers.ModelSerializer):
    author_role = serializers.SerializerMethodField(
        help_text='"customer", "provider" or "moderator".'
    )
    mine = serializers.SerializerMethodField()
    photos = CasePhotoSerializer(many=True, read_only=True)

    class Meta:
        model = CaseMessage
        fields = ["id", "author_role", "mine", "body", "at", "photos"]
        read_only_fields = fields

    def get_author_role(self, message: CaseMessage) -> str:
        booking = self.context["case"].booking
        if message.author_id == booking.customer_id:
            return "customer"
        if message.author_id == booking.provider.user_id:
            return "provider"
        return "moderator"

    def get_mine(self, message: CaseMessage) -> bool:
        return message.author_id == self.context["request"].user.pk


# --- input -------------------------------------------------------------------------------


def _photos_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        max_length=CASE_MAX_PHOTOS,
        required=False,
        default=list,
    )


class CaseInputSerializer(serializers.Serializer):
    booking = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    # Text, not an enum: the schema's enum names are project-wide, and the service words
    # the refusal.
    reason = serializers.CharField(max_length=20, help_text=_REASONS)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, allow_blank=True, trim_whitespace=False
    )
    photos = _photos_field()


class CaseMessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
    )
    photos = _photos_field()


def _case(request: Request, pk: int) -> Case:
    case = selectors.case_for_viewer(user=request.user, pk=pk)
    if case is None:
        raise Http404("No such case.")
    return case


_MULTIPART = [JSONParser, MultiPartParser, FormParser]


# --- views -------------------------------------------------------------------------------


class CaseListView(generics.ListAPIView):
    """The cases on the signed-in person's bookings, newest first (GET), and reporting a
    problem on one of them (POST), as the booking page's "Report a problem" does."""

    serializer_class = CaseSerializer
    parser_classes = _MULTIPART
    queryset = Case.objects.none()  # for the schema; get_queryset scopes to the person

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator: no caller
            return self.queryset
        return selectors.cases_for_user(user=self.request.user)

    @extend_schema(operation_id="support_cases_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="support_cases_create",
        request={
            "application/json": CaseInputSerializer,
            "multipart/form-data": CaseInputSerializer,
        },
        responses={201: CaseDetailSerializer},
        description=f"Within {rules.REPORT_WINDOW_DAYS} days of the job's completion or the "
        "booking's cancellation, by its customer or provider; one open case per booking.",
    )
    def post(self, request: Request) -> Response:
        data = validated(CaseInputSerializer, request.data)
        booking = selectors.booking_for_party(user=request.user, pk=data.pop("booking"))
        if booking is None:
            raise Http404("No such booking.")
        case = services.case_open(booking=booking, user=request.user, **data)
        case = _case(request, case.pk)
        body = CaseDetailSerializer(case, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CaseDetailView(generics.GenericAPIView):
    """One case (its booking's parties and moderators; anyone else gets a 404)."""

    serializer_class = CaseDetailSerializer

    @extend_schema(operation_id="support_cases_retrieve")
    def get(self, request: Request, pk: int) -> Response:
        case = _case(request, pk)
        return Response(CaseDetailSerializer(case, context={"request": request}).data)


class CaseMessageListView(generics.ListAPIView):
    """A case's conversation, oldest first (GET), and writing in it (POST) while it is open."""

    serializer_class = CaseMessageSerializer
    parser_classes = _MULTIPART
    queryset = CaseMessage.objects.none()  # for the schema; get_queryset scopes to the case

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.case_messages(case=self.case)

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"case": getattr(self, "case", None)}

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.case = _case(request, kwargs["pk"])

    @extend_schema(operation_id="support_cases_messages_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="support_cases_messages_create",
        request={
            "application/json": CaseMessageInputSerializer,
            "multipart/form-data": CaseMessageInputSerializer,
        },
        responses={201: CaseMessageSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = validated(CaseMessageInputSerializer, request.data)
        message = services.case_post(case=self.case, author=request.user, **data)
        message = selectors.case_messages(case=self.case).get(pk=message.pk)
        body = CaseMessageSerializer(message, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)
