"""reviews.moderation: resolving review reports (dismissed, or the review hidden) and
dismissing fraud signals, once, with a reason, recorded in the moderation trail."""

from functools import partial

import pytest

from accounts.models import ModerationAction
from accounts.tests.factories import UserFactory
from accounts.tests.moderators import moderator_make
from marketplace.errors import Invalid, WrongState
from notifications.models import Notification
from reviews.aggregates import ratings_refresh
from reviews.models import FraudSignal, Review, ReviewReport
from reviews.moderation import fraud_signal_dismiss, review_report_resolve
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db
DISMISSED, ACTIONED = ReviewReport.Status.DISMISSED, ReviewReport.Status.ACTIONED
review_report_dismiss = partial(review_report_resolve, outcome=DISMISSED)


@pytest.fixture
def moderator(db):
    return moderator_make()


@pytest.fixture
def report(db):
    return ReviewReport.objects.create(
        review=ReviewFactory(), reporter=UserFactory(), reason=ReviewReport.Reason.FAKE
    )


@pytest.fixture
def signal(db):
    review = ReviewFactory()
    return FraudSignal.objects.create(
        rule=FraudSignal.Rule.NEW_ACCOUNT,
        score=30,
        key=f"new_account:{review.pk}",
        review=review,
        user=review.author,
        provider=review.provider,
    )


def test_dismissing_a_report_closes_it_and_records_why(moderator, report):
    review_report_dismiss(report=report, actor=moderator, reason=" A genuine,   fair review ")

    report.refresh_from_db()
    assert (report.status, report.handled_by) == ("dismissed", moderator)
    assert report.handled_at is not None
    line = ModerationAction.objects.get()
    assert (line.action, line.reason, line.user, line.provider) == (
        "dismiss_review_report",
        "A genuine, fair review",
        report.review.author,
        report.review.provider,
    )
    assert (line.target_type, line.target_id) == ("reviews.reviewreport", report.pk)


def test_a_report_is_dismissed_once(moderator, report):
    review_report_dismiss(report=report, actor=moderator, reason="Fine")

    with pytest.raises(WrongState):
        review_report_dismiss(report=report, actor=moderator, reason="Again")
    assert ModerationAction.objects.count() == 1


def test_dismissing_a_signal_keeps_its_key_and_the_reason(moderator, signal):
    fraud_signal_dismiss(signal=signal, actor=moderator, reason="Regular customer, checked")

    signal.refresh_from_db()
    assert (signal.status, signal.handled_by, signal.handled_reason) == (
        "dismissed",
        moderator,
        "Regular customer, checked",
    )
    assert signal.key == f"new_account:{signal.review_id}"
    line = ModerationAction.objects.get(action="dismiss_signal")
    assert (line.user, line.provider) == (signal.user, signal.provider)
    with pytest.raises(WrongState):
        fraud_signal_dismiss(signal=signal, actor=moderator, reason="Again")


@pytest.mark.parametrize("reason", ["", "  ", "x" * 301])
def test_a_bad_reason_changes_nothing(moderator, report, signal, reason):
    with pytest.raises(Invalid) as refused:
        review_report_dismiss(report=report, actor=moderator, reason=reason)
    assert "reason" in refused.value.fields
    with pytest.raises(Invalid):
        fraud_signal_dismiss(signal=signal, actor=moderator, reason=reason)

    report.refresh_from_db()
    signal.refresh_from_db()
    assert (report.status, signal.status) == ("open", "open")
    assert not ModerationAction.objects.exists()


def test_actioning_a_report_hides_the_review_and_closes_its_open_reports(moderator, report):
    review = report.review
    ratings_refresh(service_ids=[review.service_id], provider_ids=[review.provider_id])
    second = ReviewReport.objects.create(review=review, reporter=UserFactory(), reason="offensive")
    elsewhere = ReviewReport.objects.create(
        review=ReviewFactory(), reporter=UserFactory(), reason="fake"
    )

    review_report_resolve(
        report=report, actor=moderator, outcome=ACTIONED, reason="Abusive language"
    )

    review.refresh_from_db()
    assert (review.status, review.status_reason) == ("hidden", "Abusive language")
    review.service.refresh_from_db()
    assert review.service.rating_count == 0
    statuses = dict(ReviewReport.objects.values_list("pk", "status"))
    assert statuses == {report.pk: "actioned", second.pk: "actioned", elsewhere.pk: "open"}
    actions = set(ModerationAction.objects.values_list("action", flat=True))
    assert actions == {"hide_review", "action_review_report"}
    assert Notification.objects.filter(recipient=review.author).exists()


def test_an_unknown_outcome_changes_nothing(moderator, report):
    with pytest.raises(Invalid):
        review_report_resolve(report=report, actor=moderator, outcome="open", reason="Hmm")

    report.refresh_from_db()
    assert report.status == "open" and report.review.status == Review.Status.PUBLISHED
