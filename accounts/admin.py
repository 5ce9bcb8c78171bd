from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.template.response import TemplateResponse

from marketplace.admin import PointAsTextMixin
from marketplace.errors import DomainError, Invalid
from marketplace.pages import form_add_error

from .models import ProviderProfile, ProviderStatusEvent, SignInEvent, User
from .services import insurance_expiry_check, provider_set_status


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active", "wants_to_offer_services"]
    search_fields = ["email", "name", "phone"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal details", {"fields": ["name", "phone", "avatar", "wants_to_offer_services"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "name", "password1", "password2"]}),
    ]


class StatusReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the provider is shown it)", max_length=300, widget=forms.Textarea
    )


class ProviderStatusEventInline(admin.TabularInline):
    model = ProviderStatusEvent
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def _set_status(modeladmin, request, queryset, status, reason=""):
    changed = 0
    for profile in queryset:
        try:
            provider_set_status(profile=profile, status=status, actor=request.user, reason=reason)
            changed += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{profile}: {error}", messages.ERROR)
    label = ProviderProfile.Status(status).label.lower()
    modeladmin.message_user(request, f"{changed} provider(s) now {label}.", messages.SUCCESS)


def _status_with_reason(status, description):
    def action(modeladmin, request, queryset):
        form = StatusReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            _set_status(modeladmin, request, queryset, status, form.cleaned_data["reason"])
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "form": form,
            "queryset": queryset,
            "action": request.POST["action"],
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/status_reason.html", context)

    action.__name__ = f"mark_{status}"
    return admin.action(description=description)(action)


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
class ProviderProfileAdmin(PointAsTextMixin, admin.ModelAdmin):
    form = ProviderProfileAdminForm
    list_display = [
        "business_name", "user", "base_city", "status", "licence_verified", "insurance_verified",
        "created_at",
    ]  # fmt: skip
    list_filter = ["status", "licence_verified", "insurance_verified", "base_city__state"]
    list_select_related = ["user", "base_city"]
    search_fields = ["business_name", "user__email", "licence_number"]
    readonly_fields = ["status", "status_reason", "approved_at", "created_at", "updated_at"]
    raw_id_fields = ["user"]
    inlines = [ProviderStatusEventInline]
    actions = [
        "approve",
        _status_with_reason(ProviderProfile.Status.REJECTED, "Reject selected providers"),
        _status_with_reason(ProviderProfile.Status.SUSPENDED, "Suspend selected providers"),
    ]

    @admin.action(description="Approve selected providers")
    def approve(self, request, queryset):
        _set_status(self, request, queryset, ProviderProfile.Status.APPROVED)


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    list_display = ["at", "email", "succeeded", "ip_address"]
    list_filter = ["succeeded"]
    search_fields = ["email", "ip_address"]
    readonly_fields = ["user", "email", "succeeded", "ip_address", "user_agent", "at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
