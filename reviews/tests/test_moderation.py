"""reviews.moderation: dismissing review reports and fraud signals, once, with a reason,
recorded in the moderation trail."""

import pytest

from accounts.models import ModerationAction
from accounts.tests.factories import UserFactory
from accounts.tests.moderators import moderator_make
from marketplace.errors import Invalid, WrongState
from reviews.models import FraudSignal, ReviewReport
from reviews.moderation import fraud_signal_dismiss, review_report_dismiss
from reviews.tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


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
