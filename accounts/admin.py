from collections.abc import Callable, Iterable

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from marketplace.admin import PagesChangedMixin, PointAsTextMixin
from marketplace.errors import DomainError, Invalid
from marketplace.pages import form_add_error

from .models import ModerationAction, ProviderProfile, ProviderStatusEvent, SignInEvent, User
from .services import (
    insurance_expiry_check,
    provider_set_status,
    user_reinstate,
    user_suspend,
)

# --- Bulk actions that ask for a reason (providers, accounts, listings, reviews, signals) ---


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300, widget=forms.Textarea)

    def __init__(self, *args, shown_to: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if shown_to:
            self.fields["reason"].label = f"Reason ({shown_to} is shown it)"


def reason_asked(
    modeladmin: admin.ModelAdmin,
    request,
    queryset: QuerySet,
    *,
    title: str,
    shown_to: str = "",
    label: Callable[[Model], str] = str,
) -> str | TemplateResponse:
    """The reason a moderator gave for a bulk action, or the page asking for it (again, with
    the error, when it was left empty); templates/admin/accounts/status_reason.html."""
    form = ReasonForm(request.POST if "apply" in request.POST else None, shown_to=shown_to)
    if form.is_valid():
        return form.cleaned_data["reason"]
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "selected": [(row.pk, label(row)) for row in queryset],
        "action": request.POST["action"],
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/accounts/status_reason.html", context)


def each_row(
    modeladmin: admin.ModelAdmin,
    request,
    rows: Iterable[Model],
    handle: Callable[[Model], object],
    done: str,
) -> int:
    """Apply `handle` (a service call) to each row; a refusal is shown and the rest go on."""
    handled = 0
    for row in rows:
        try:
            handle(row)
            handled += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{row}: {error}", messages.ERROR)
    modeladmin.message_user(request, f"{handled} {done}.", messages.SUCCESS)
    return handled


def reason_action(
    *,
    name: str,
    description: str,
    handle: Callable[[Model, User, str], object],
    done: str,
    shown_to: str = "",
    label: Callable[[Model], str] = str,
    rows: Callable[[admin.ModelAdmin, object, QuerySet], QuerySet] | None = None,
):
    """A bulk action that asks for a reason (reason_asked), then calls `handle(row, actor,
    reason)`, a service, on each selected row (each_row). `rows(modeladmin, request,
    queryset)` may narrow or load the selection first. Only for those who may change rows."""

    def action(modeladmin, request, queryset):
        if rows is not None:
            queryset = rows(modeladmin, request, queryset)
        reason = reason_asked(
            modeladmin, request, queryset, title=description, shown_to=shown_to, label=label
        )
        if not isinstance(reason, str):
            return reason
        each_row(modeladmin, request, queryset, lambda row: handle(row, request.user, reason), done)
        return None

    action.__name__ = name
    return admin.action(description=description, permissions=["change"])(action)


def admin_list_link(model: type[Model], text: str, **lookups: object) -> str:
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    query = "&".join(f"{key}={value}" for key, value in lookups.items())
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


# Moderators must not edit staff: these stay read-only for anyone but a superuser.
_STAFF_FIELDS = ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(PagesChangedMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "suspended_at", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "wants_to_offer_services"]
    search_fields = ["email", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["name", "phone", "avatar", "wants_to_offer_services"]}),
        ("Permissions", {"fields": _STAFF_FIELDS}),
        ("Suspension", {"fields": ["suspended_at", "suspension_reason"]}),
        ("Moderation", {"fields": ["moderation_links"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]
    actions = [
        reason_action(
            name="suspend", description="Suspend selected accounts", shown_to="the person",
            label=lambda user: user.email, done="account(s) suspended",
            handle=lambda user, actor, reason: user_suspend(user=user, actor=actor, reason=reason),
        ),
        reason_action(
            name="reinstate", description="Reinstate selected accounts",
            label=lambda user: user.email, done="account(s) reinstated",
            handle=lambda user, actor, reason: user_reinstate(
                user=user, actor=actor, reason=reason
            ),
        ),
    ]  # fmt: skip

    def get_queryset(self, request):
        # Staff accounts are a superuser's business: moderators neither see nor change them.
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(is_staff=False, is_superuser=False)
        return queryset

    def user_change_password(self, request, id, form_url=""):
        # Setting someone's password is taking over their account: a superuser's job only.
        if not request.user.is_superuser:
            raise PermissionDenied("Only a superuser can set a password.")
        return super().user_change_password(request, id, form_url)

    def get_readonly_fields(self, request, obj=None):
        fixed = ["suspended_at", "suspension_reason", "moderation_links"]
        if request.user.is_superuser:
            return fixed
        return [*_STAFF_FIELDS, *fixed]

    @admin.display(description="History")
    def moderation_links(self, user: User) -> str:
        if user.pk is None:
            return "-"
        return moderation_links(user_id=user.pk)


def moderation_links(*, user_id: int, provider_id: int | None = None) -> str:
    """Links to what the trail, the fraud rules and the sign-in log hold on a person (and
    their provider profile), each a filtered change list."""
    # By label: accounts imports no app above it (the fraud signals live in reviews).
    links = [
        admin_list_link(ModerationAction, "Moderation history", user__id__exact=user_id),
        format_html(
            '<a href="{}?user__id__exact={}">Fraud signals on the account</a>',
            reverse("admin:reviews_fraudsignal_changelist"),
            user_id,
        ),
        admin_list_link(SignInEvent, "Sign-in log", user__id__exact=user_id),
    ]
    if provider_id is not None:
        links.insert(
            2,
            format_html(
                '<a href="{}?provider__id__exact={}">Fraud signals on the provider</a>',
                reverse("admin:reviews_fraudsignal_changelist"),
                provider_id,
            ),
        )
    return format_html_join(" · ", "{}", ((link,) for link in links))


def _provider_label(profile: ProviderProfile) -> str:
    return f"{profile.business_name} ({profile.user.email})"


class ProviderStatusEventInline(admin.TabularInline):
    model = ProviderStatusEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _with_user(modeladmin, request, queryset):
    return queryset.select_related("user")


def _status_action(status: str, description: str):
    label = ProviderProfile.Status(status).label.lower()
    return reason_action(
        name=f"mark_{status}", description=description, shown_to="the provider",
        label=_provider_label, rows=_with_user, done=f"provider(s) now {label}",
        handle=lambda profile, actor, reason: provider_set_status(
            profile=profile, status=status, actor=actor, reason=reason
        ),
    )  # fmt: skip


def _accounts_action(service, description: str, done: str):
    """Suspend or reinstate the accounts of the selected providers (profiles follow)."""
    return reason_action(
        name=service.__name__, description=description, shown_to="the provider",
        label=_provider_label, rows=_with_user, done=done,
        handle=lambda profile, actor, reason: service(
            user=profile.user, actor=actor, reason=reason
        ),
    )  # fmt: skip


class ProviderProfileAdminForm(forms.ModelForm):
    class Meta:
        model = ProviderProfile
        fields = "__all__"  # noqa: DJ007  (the admin's fieldsets choose; this adds one check)

    def clean(self):
        cleaned = super().clean()
        city = cleaned.get("base_city")
        if "insurance_expires_on" in self.changed_data and city is not None:
            # The portal's rule (accounts.services): an expired policy is refused at entry.
            try:
                insurance_expiry_check(
                    insurance_expires_on=cleaned.get("insurance_expires_on"), city=city
                )
            except Invalid as error:
                form_add_error(self, error)
        return cleaned


@admin.register(ProviderProfile)
class ProviderProfileAdmin(PagesChangedMixin, PointAsTextMixin, admin.ModelAdmin):
    form = ProviderProfileAdminForm
    list_display = [
        "business_name", "user", "base_city", "status", "licence_verified", "insurance_verified",
        "created_at",
    ]  # fmt: skip
    list_filter = ["status", "licence_verified", "insurance_verified", "base_city__state"]
    list_select_related = ["user", "base_city"]
    search_fields = ["business_name", "user__email", "licence_number"]
    readonly_fields = [
        "status", "status_reason", "approved_at", "created_at", "updated_at", "moderation_links",
        "rating_average", "rating_count",
    ]  # fmt: skip
    raw_id_fields = ["user"]
    inlines = [ProviderStatusEventInline]
    actions = [
        "approve",
        _status_action(ProviderProfile.Status.REJECTED, "Reject selected providers"),
        _status_action(ProviderProfile.Status.SUSPENDED, "Suspend selected providers"),
        _status_action(ProviderProfile.Status.APPROVED, "Reinstate selected providers"),
        _accounts_action(user_suspend, "Suspend the accounts of selected providers",
                         "account(s) suspended"),
        _accounts_action(user_reinstate, "Reinstate the accounts of selected providers",
                         "account(s) reinstated"),
    ]  # fmt: skip

    @admin.display(description="History")
    def moderation_links(self, profile: ProviderProfile) -> str:
        if profile.pk is None:
            return "-"
        return moderation_links(user_id=profile.user_id, provider_id=profile.pk)

    @admin.action(description="Approve selected providers", permissions=["change"])
    def approve(self, request, queryset):
        each_row(
            self, request, queryset,
            lambda profile: provider_set_status(
                profile=profile, status=ProviderProfile.Status.APPROVED, actor=request.user
            ),
            "provider(s) now approved",
        )  # fmt: skip


class _ByPersonMixin:
    """Lets the links on a user's and a provider's page filter by them (not offered as a
    sidebar filter: that would list every account)."""

    person_lookups = ("user__id__exact",)

    def lookup_allowed(self, lookup, value, request=None):
        return lookup in self.person_lookups or super().lookup_allowed(lookup, value, request)


@admin.register(SignInEvent)
class SignInEventAdmin(_ByPersonMixin, admin.ModelAdmin):
    list_display = ["at", "email", "kind", "succeeded", "ip_address", "device_id"]
    list_filter = ["succeeded", "kind"]
    search_fields = ["email", "ip_address", "device_id"]
    readonly_fields = [
        "user", "email", "kind", "succeeded", "ip_address", "user_agent", "device_id", "at",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(_ByPersonMixin, admin.ModelAdmin):
    """The moderation trail, read only: who did what, when and why, to whom."""

    person_lookups = ("user__id__exact", "provider__id__exact")
    list_display = ["at", "action", "actor", "user", "provider", "target_label", "reason"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["actor", "user", "provider"]
    search_fields = ["user__email", "actor__email", "reason", "target_label"]
    fields = [
        "at", "action", "actor", "user", "provider", "target_type", "target_id", "target_label",
        "reason",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
