"""The accounts API: sign-up, email verification, JWT sign-in, passwords (/api/auth/), the
signed-in person's profile (/api/users/me/) and public provider profiles (/api/providers/).

Thin, as the pages are: allauth's own forms and flows do sign-up, verification and passwords
(so the emails are the ones the pages send), Django's `authenticate()` does the sign-in (so
django-axes' lock and the sign-in log see API sign-ins too), and accounts.services does the
writes. A form's errors come back in the API's one error format under the API's field names.
"""

from __future__ import annotations

import contextlib

from allauth.account import app_settings as allauth_settings
from allauth.account.forms import (
    ChangePasswordForm,
    ResetPasswordForm,
    ResetPasswordKeyForm,
    SignupForm,
    UserTokenForm,
)
from allauth.account.internal.flows.password_change import finalize_password_change
from allauth.account.internal.flows.password_reset import finalize_password_reset
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import EmailAddress, get_emailconfirmation_model
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.utils import get_form_class
from django import forms
from django.contrib.auth import authenticate, user_logged_in
from django.http import Http404, HttpRequest
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.serializers import (
    TokenObtainPairSerializer,
    TokenRefreshSerializer,
)
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.views import (
    TokenBlacklistView,
    TokenObtainPairView,
    TokenRefreshView,
)

from marketplace.errors import Invalid
from marketplace.replicas import ReplicaReadsAPIMixin

from . import services
from .forms import AccountDetailsForm, AvatarForm, SignupDetailsForm
from .models import ProviderProfile, User
from .selectors import provider_public_by_slug, user_roles
from .views import sign_in_locked_out

# allauth checks passwords of any length; a bound keeps a hash's work bounded.
PASSWORD_MAX_LENGTH = 1000
EMAIL_MAX_LENGTH = 254


def _form_invalid(form: forms.Form, names: dict[str, str]) -> serializers.ValidationError:
    """A Django form's errors as the API's validation error, under the API's input names
    (`names` maps the form's field to the API's; "__all__" becomes the general message)."""
    fields: dict[str, list[str]] = {}
    for field, messages in form.errors.items():
        name = "non_field_errors" if field == "__all__" else names.get(field, field)
        fields.setdefault(name, []).extend(str(message) for message in messages)
    return serializers.ValidationError(fields)


def _http(request) -> HttpRequest:
    """The Django request under DRF's: what allauth, axes and the signals expect."""
    return getattr(request, "_request", request)


# --- Sign-up and email verification ---------------------------------------------------------


class SignupSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, write_only=True)
    name = serializers.CharField(max_length=120)
    role = serializers.ChoiceField(
        choices=[SignupDetailsForm.ROLE_CUSTOMER, SignupDetailsForm.ROLE_PROVIDER],
        default=SignupDetailsForm.ROLE_CUSTOMER,
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class SignupView(APIView):
    """Sign up as the page does: allauth's sign-up form (with the site's name and role fields)
    and its completion, which sends the verification email. An email already registered gets
    allauth's "you already have an account" email and the same answer, so the answer tells
    nobody which emails have accounts."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "sign_up"

    @extend_schema(request=SignupSerializer, responses={201: DetailSerializer})
    def post(self, request):
        given = SignupSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        http = _http(request)
        form_class = get_form_class(allauth_settings.FORMS, "signup", SignupForm)
        form = form_class(
            data={
                "email": data["email"],
                "password1": data["password"],
                "password2": data["password"],
                "name": data["name"],
                "role": data["role"],
            }
        )
        if not form.is_valid():
            raise _form_invalid(form, {"password1": "password", "password2": "password"})
        user, _ = form.try_save(http)
        if user is not None:
            # allauth may answer with its page's redirect: the API answers the same anyway.
            with contextlib.suppress(ImmediateHttpResponse):
                complete_signup(http, user=user)
        message = f"We sent an email to {data['email']}: follow its link to confirm the address."
        return Response({"detail": message}, status=status.HTTP_201_CREATED)


class VerifyEmailSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=300)


class VerifyEmailView(APIView):
    """Confirm an email address with the key from the verification email (allauth's)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "auth"

    @extend_schema(request=VerifyEmailSerializer, responses={200: DetailSerializer})
    def post(self, request):
        given = VerifyEmailSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        confirmation = get_emailconfirmation_model().from_key(given.validated_data["key"])
        address = confirmation.confirm(_http(request)) if confirmation else None
        if address is None:
            raise Invalid(
                fields={"key": "This confirmation link is invalid, expired or already used."}
            )
        return Response({"detail": f"{address.email} is confirmed."})


# --- Tokens ---------------------------------------------------------------------------------


def _with_roles(token, user: User):
    token["roles"] = user_roles(user=user)
    return token


class SignInSerializer(TokenObtainPairSerializer):
    """A JWT pair for an email and password, signed in the way the pages sign in: through
    `authenticate()` with the request (django-axes refuses a locked account and address, the
    sign-in log records the attempt), refusing an unconfirmed email when the site does."""

    default_error_messages = {
        "no_active_account": "Your email or password is not right.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
        self.fields["password"] = serializers.CharField(
            max_length=PASSWORD_MAX_LENGTH, write_only=True
        )

    @classmethod
    def get_token(cls, user):
        return _with_roles(super().get_token(user), user)

    def validate(self, attrs):
        http = _http(self.context["request"])
        credentials = {"email": attrs["email"], "password": attrs["password"]}
        user = authenticate(request=http, **credentials)
        if getattr(http, "axes_locked_out", False):
            raise self._locked(http, credentials)
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        if self._email_unconfirmed(user):
            raise exceptions.PermissionDenied(
                "Confirm your email address first: follow the link in the email we sent you.",
                code="email_unconfirmed",
            )
        refresh = self.get_token(user)
        # What a sign-in on the pages sends: last_login, the sign-in log, axes' reset.
        user_logged_in.send(sender=user.__class__, request=http, user=user)
        return {"refresh": str(refresh), "access": str(refresh.access_token)}

    @staticmethod
    def _locked(http: HttpRequest, credentials: dict) -> exceptions.Throttled:
        """The page's lockout (its wait) as the API's 429; axes' middleware must then not
        swap the JSON answer for the lockout page."""
        wait = int(sign_in_locked_out(http, credentials=credentials)["Retry-After"])
        http.axes_locked_out = False
        return exceptions.Throttled(
            wait=wait, detail="Too many failed sign-ins to this account from your address."
        )

    @staticmethod
    def _email_unconfirmed(user: User) -> bool:
        if (
            allauth_settings.EMAIL_VERIFICATION
            != allauth_settings.EmailVerificationMethod.MANDATORY
        ):
            return False
        return not EmailAddress.objects.filter(user=user, verified=True).exists()


class TokenPairSerializer(serializers.Serializer):
    refresh = serializers.CharField()
    access = serializers.CharField(
        help_text="Claims `roles`: customer or provider, then moderator and admin."
    )


class TokenView(TokenObtainPairView):
    """POST an email and password: a JWT pair (access 15 minutes, refresh 14 days)."""

    serializer_class = SignInSerializer
    throttle_scope = "auth"

    @extend_schema(responses=TokenPairSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class RoleRefreshSerializer(TokenRefreshSerializer):
    """A new access token (and, rotating, a new refresh token; the old one is blacklisted)
    with the roles the person has now, not those of the day they signed in."""

    def validate(self, attrs):
        # simplejwt's own lookup would fail with a server error for a deleted account.
        user_id = RefreshToken(attrs["refresh"]).payload.get(api_settings.USER_ID_CLAIM)
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            raise exceptions.AuthenticationFailed(
                self.error_messages["no_active_account"], "no_active_account"
            )
        data = super().validate(attrs)
        data["access"] = str(_with_roles(AccessToken(data["access"]), user))
        return data


class TokenRefresh(TokenRefreshView):
    serializer_class = RoleRefreshSerializer

    @extend_schema(responses=TokenPairSerializer)
    def post(self, request, *args, **kwargs):
        return super().post(request, *args, **kwargs)


class LogoutView(TokenBlacklistView):
    """POST the refresh token: it is blacklisted, so it gets no new access token."""


# --- Passwords ------------------------------------------------------------------------------


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, write_only=True)
    new_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, write_only=True)


class PasswordChangeView(APIView):
    """Change the signed-in person's password (allauth's form: the current one is checked,
    the new one validated; allauth emails the person that it changed)."""

    throttle_scope = "auth"

    @extend_schema(request=PasswordChangeSerializer, responses={200: DetailSerializer})
    def post(self, request):
        given = PasswordChangeSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        form = ChangePasswordForm(
            data={
                "oldpassword": data["old_password"],
                "password1": data["new_password"],
                "password2": data["new_password"],
            },
            user=request.user,
        )
        if not form.is_valid():
            raise _form_invalid(
                form,
                {"oldpassword": "old_password", "password1": "new_password", "password2": ""},
            )
        form.save()
        finalize_password_change(_http(request), request.user)
        return Response({"detail": "Your password is changed."})


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)


class PasswordResetView(APIView):
    """Email a password-reset link (allauth's email), answering the same whether or not the
    address has an account."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "password_reset"

    @extend_schema(request=PasswordResetSerializer, responses={200: DetailSerializer})
    def post(self, request):
        given = PasswordResetSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        email = given.validated_data["email"]
        form = ResetPasswordForm(data={"email": email})
        if form.is_valid():
            form.save(_http(request))
        message = f"If {email} has an account, we sent it a link to choose a new password."
        return Response({"detail": message})


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=30)
    key = serializers.CharField(max_length=100)
    new_password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, write_only=True)


class PasswordResetConfirmView(APIView):
    """Set a new password with the uid and key of the reset link
    (/accounts/password/reset/key/<uid>-<key>/)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_scope = "password_reset"

    @extend_schema(request=PasswordResetConfirmSerializer, responses={200: DetailSerializer})
    def post(self, request):
        given = PasswordResetConfirmSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        token = UserTokenForm(data={"uidb36": data["uid"], "key": data["key"]})
        if not token.is_valid():
            raise _form_invalid(token, {"uidb36": "uid"})
        password = data["new_password"]
        form = ResetPasswordKeyForm(
            data={"password1": password, "password2": password},
            user=token.reset_user,
            temp_key=data["key"],
        )
        if not form.is_valid():
            raise _form_invalid(form, {"password1": "new_password", "password2": ""})
        form.save()
        finalize_password_reset(_http(request), token.reset_user)
        return Response({"detail": "Your password is changed: sign in with it."})


# --- The signed-in person -------------------------------------------------------------------


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    name = serializers.CharField(max_length=120)
    phone = serializers.CharField(max_length=20, allow_blank=True)
    avatar_url = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    wants_to_offer_services = serializers.BooleanField(read_only=True)
    provider_slug = serializers.SerializerMethodField()

    def get_avatar_url(self, user: User) -> str | None:
        return _absolute(self.context["request"], user.avatar)

    def get_roles(self, user: User) -> list[str]:
        return user_roles(user=user)

    def get_provider_slug(self, user: User) -> str | None:
        return user.provider_profile.slug if user.is_provider else None


def _absolute(request, image) -> str | None:
    return request.build_absolute_uri(image.url) if image else None


class MeView(APIView):
    """The signed-in person: read, and change the name and phone (the account page's rules)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(request=MeSerializer, responses=MeSerializer)
    def patch(self, request):
        user = request.user
        given = MeSerializer(user, data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        form = AccountDetailsForm(
            data={"name": user.name, "phone": user.phone, **given.validated_data}
        )
        if not form.is_valid():
            raise _form_invalid(form, {})
        services.user_update_details(user=user, **form.cleaned_data)
        return Response(MeSerializer(user, context={"request": request}).data)


class AvatarSerializer(serializers.Serializer):
    avatar = serializers.FileField()


class MeAvatarView(APIView):
    """Upload the signed-in person's photo (multipart `avatar`): checked and re-encoded as
    the account page does."""

    @extend_schema(request={"multipart/form-data": AvatarSerializer}, responses=MeSerializer)
    def put(self, request):
        form = AvatarForm(data={}, files=request.FILES)
        if not form.is_valid():
            raise _form_invalid(form, {})
        try:
            services.user_set_avatar(user=request.user, upload=form.cleaned_data["avatar"])
        except Invalid as error:
            raise Invalid(
                error.general, fields={"avatar": error.fields.get("upload", [])}
            ) from error
        return Response(MeSerializer(request.user, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": AvatarSerializer},
        responses=MeSerializer,
        operation_id="users_me_avatar_upload",
    )
    def post(self, request):
        return self.put(request)


# --- Public provider profiles ---------------------------------------------------------------


class ProviderCitySerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()


class ProviderPublicSerializer(serializers.ModelSerializer):
    city = ProviderCitySerializer(source="base_city")
    rating_average = serializers.DecimalField(max_digits=3, decimal_places=2)
    licence_verified = serializers.BooleanField()
    insured = serializers.BooleanField(source="insurance_is_current")
    verified = serializers.BooleanField(source="is_verified")
    logo_url = serializers.SerializerMethodField()
    monogram = serializers.CharField(source="monogram_initials")
    monogram_colour = serializers.CharField()

    class Meta:
        model = ProviderProfile
        fields = [
            "slug", "business_name", "bio", "city", "rating_average", "rating_count",
            "response_time_median_minutes", "licence_verified", "insured", "verified",
            "logo_url", "monogram", "monogram_colour", "approved_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_logo_url(self, profile: ProviderProfile) -> str | None:
        return _absolute(self.context["request"], profile.logo)


class ProviderPublicView(ReplicaReadsAPIMixin, generics.RetrieveAPIView):
    """An approved provider's public profile; any other status is not found."""

    permission_classes = [AllowAny]
    serializer_class = ProviderPublicSerializer

    def get_object(self) -> ProviderProfile:
        provider = provider_public_by_slug(slug=self.kwargs["slug"])
        if provider is None:
            raise Http404("No such provider.")
        return provider
