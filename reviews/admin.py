"""Moderating reviews in the admin: reviews (with their reports and fraud signals), review
reports, fraud signals and the providers' ratings of customers (read only).

Text is shown as typed and always escaped (format_html escapes every argument). Every action
asks for a reason and calls a service (reviews.moderation, reviews.services), which writes the
moderation trail.
"""

from django.contrib import admin
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import reason_action
from marketplace.admin import PagesChangedMixin

from .models import CustomerRating, FraudSignal, Review, ReviewReport
from .moderation import fraud_signal_dismiss, review_report_resolve
from .services import review_set_status

EXCERPT_CHARS = 120


def _excerpt(text: str) -> str:
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def _change_link(obj, text: str | None = None) -> str:
    if obj is None:
        return "-"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text or str(obj))


def _with_review(modeladmin, request, queryset):
    return queryset.select_related("review")


def _report_label(report: ReviewReport) -> str:
    return f"{report.get_reason_display()}: {_excerpt(report.review.text)}"


def _resolve_action(name: str, description: str, done: str, *, outcome: str, shown_to=""):
    return reason_action(
        name=name, description=description, label=_report_label, rows=_with_review,
        done=done, shown_to=shown_to,
        handle=lambda report, actor, reason: review_report_resolve(
            report=report, actor=actor, outcome=outcome, reason=reason
        ),
    )  # fmt: skip


def _status_action(name: str, description: str, done: str, *, status: str, only: str = ""):
    """Publish, hide or restore the selected reviews with a reason the author is shown
    (reviews.services.review_set_status: figures, trail and notice in one transaction).
    With `only`, rows in another status are left, and the moderator is told how many."""

    def selected(modeladmin, request, queryset):
        if not only:
            return queryset
        others = queryset.exclude(status=only).count()
        if others and "apply" not in request.POST:
            label = Review.Status(only).label.lower()
            modeladmin.message_user(
                request, f"{others} selected review(s) are not {label}: left as they are."
            )
        return queryset.filter(status=only)

    return reason_action(
        name=name, description=description, done=done, shown_to="the author", rows=selected,
        label=lambda review: f"{review.rating}★ {_excerpt(review.text)}",
        handle=lambda review, actor, reason: review_set_status(
            review=review, status=status, actor=actor, reason=reason
        ),
    )  # fmt: skip


class ReadOnlyMixin:
    """Rows a moderator reads and acts on through actions, never edits or deletes."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.readonly_extra)

    readonly_extra: tuple[str, ...] = ()

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class OpenReportsFilter(admin.SimpleListFilter):
    title = "open reports"
    parameter_name = "open_reports"

    def lookups(self, request, model_admin):
        return [("yes", "Has open reports"), ("no", "No open reports")]

    def queryset(self, request, queryset):
        open_reports = Exists(
            ReviewReport.objects.filter(review=OuterRef("pk"), status=ReviewReport.Status.OPEN)
        )
        if self.value() == "yes":
            return queryset.filter(open_reports)
        if self.value() == "no":
            return queryset.exclude(open_reports)
        return queryset


class ReviewReportInline(ReadOnlyMixin, admin.TabularInline):
    model = ReviewReport
    fk_name = "review"
    fields = ["created_at", "reporter", "reason", "details", "status", "handled_by"]
    extra = 0
    show_change_link = True

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class FraudSignalInline(ReadOnlyMixin, admin.TabularInline):
    model = FraudSignal
    fk_name = "review"
    fields = ["created_at", "rule", "score", "status", "evidence"]
    extra = 0
    show_change_link = True

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Review)
class ReviewAdmin(PagesChangedMixin, ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "created_at", "rating", "status", "excerpt", "author", "provider", "service",
        "fraud_score", "open_reports",
    ]  # fmt: skip
    list_display_links = ["created_at"]
    list_filter = ["status", OpenReportsFilter, "rating"]
    list_select_related = ["author", "provider", "service"]
    search_fields = ["text", "author__email", "author__name", "provider__business_name"]
    readonly_extra = ("open_reports",)
    inlines = [ReviewReportInline, FraudSignalInline]
    actions = [
        _status_action(
            "publish", "Publish selected held reviews", "review(s) published",
            status=Review.Status.PUBLISHED, only=Review.Status.HELD,
        ),
        _status_action(
            "hide", "Hide selected reviews", "review(s) hidden", status=Review.Status.HIDDEN
        ),
        _status_action(
            "restore", "Restore selected hidden reviews", "review(s) restored",
            status=Review.Status.PUBLISHED, only=Review.Status.HIDDEN,
        ),
    ]  # fmt: skip

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_report_count=Count("reports", filter=Q(reports__status="open"), distinct=True)
            )
        )

    @admin.display(description="Text")
    def excerpt(self, review: Review) -> str:
        return _excerpt(review.text)

    @admin.display(description="Open reports", ordering="open_report_count")
    def open_reports(self, review: Review) -> int:
        return review.open_report_count


@admin.register(ReviewReport)
class ReviewReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "review_excerpt", "reason", "details", "reporter", "status"]
    list_display_links = ["created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["review", "reporter"]
    search_fields = ["details", "review__text", "reporter__email", "review__author__email"]
    readonly_extra = ("review_link",)
    actions = [
        _resolve_action(
            "dismiss", "Dismiss: nothing wrong with the review", "report(s) dismissed",
            outcome=ReviewReport.Status.DISMISSED,
        ),
        _resolve_action(
            "hide_review", "Hide the reported reviews", "report(s) actioned: review hidden",
            outcome=ReviewReport.Status.ACTIONED, shown_to="the author",
        ),
    ]  # fmt: skip

    @admin.display(description="Review")
    def review_excerpt(self, report: ReviewReport) -> str:
        return _excerpt(report.review.text)

    @admin.display(description="The review")
    def review_link(self, report: ReviewReport) -> str:
        return _change_link(report.review, _excerpt(report.review.text))


@admin.register(FraudSignal)
class FraudSignalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "rule", "score", "status", "user_link", "provider_link",
                    "review_link"]  # fmt: skip
    list_display_links = ["created_at"]
    list_filter = ["rule", "status"]
    list_select_related = ["user", "provider", "review"]
    search_fields = ["user__email", "provider__business_name", "key"]
    readonly_extra = ("user_link", "provider_link", "review_link")
    actions = [
        reason_action(
            name="dismiss", description="Dismiss: nothing wrong here", done="signal(s) dismissed",
            label=lambda signal: f"{signal.get_rule_display()} ({signal.score})",
            handle=lambda signal, actor, reason: fraud_signal_dismiss(
                signal=signal, actor=actor, reason=reason
            ),
        ),
    ]  # fmt: skip

    def lookup_allowed(self, lookup, value, request=None):
        # The links on a user's and a provider's admin page.
        return lookup in ("user__id__exact", "provider__id__exact") or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description="Account")
    def user_link(self, signal: FraudSignal) -> str:
        return _change_link(signal.user)

    @admin.display(description="Provider")
    def provider_link(self, signal: FraudSignal) -> str:
        return _change_link(signal.provider)

    @admin.display(description="Review")
    def review_link(self, signal: FraudSignal) -> str:
        return _change_link(signal.review, _excerpt(signal.review.text) if signal.review else "")


@admin.register(CustomerRating)
class CustomerRatingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "rating", "customer", "provider", "booking"]
    list_select_related = ["customer", "provider", "booking"]
    search_fields = ["customer__email", "provider__business_name"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
