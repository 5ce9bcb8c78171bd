"""Reviews in the admin for a moderator: the review list (filters, search, escaped text, a
fixed query count), dismissing reports and fraud signals with a reason, the signals of one
person or provider, read-only customer ratings; staff outside the group get 403."""

import pytest
from django.urls import reverse

from accounts.models import ModerationAction
from accounts.tests.factories import UserFactory
from accounts.tests.moderators import moderator_make, plain_staff_make
from reviews.models import CustomerRating, FraudSignal, Review, ReviewReport
from reviews.tests.factories import CompletedBookingFactory, ReviewFactory

pytestmark = pytest.mark.django_db
REVIEWS = reverse("admin:reviews_review_changelist")
REPORTS = reverse("admin:reviews_reviewreport_changelist")
SIGNALS = reverse("admin:reviews_fraudsignal_changelist")
RATINGS = reverse("admin:reviews_customerrating_changelist")


@pytest.fixture
def moderator(client, db):
    user = moderator_make()
    client.force_login(user)
    return user


def _listed(client, url, **params) -> list:
    response = client.get(url, params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _act(client, url, action, rows, **extra):
    return client.post(
        url, {"action": action, "_selected_action": [row.pk for row in rows], **extra}, follow=True
    )


def _report(review, **fields):
    return ReviewReport.objects.create(
        review=review, reporter=UserFactory(), reason=fields.pop("reason", "fake"), **fields
    )


def _signal(review=None, **fields):
    fields.setdefault("rule", FraudSignal.Rule.BURST)
    fields.setdefault("key", f"{fields['rule']}:{FraudSignal.objects.count()}")
    if review is not None:
        fields.setdefault("user", review.author)
        fields.setdefault("provider", review.provider)
    return FraudSignal.objects.create(score=20, review=review, **fields)


def test_the_review_list_filters_by_status_open_reports_and_rating(client, moderator):
    held = ReviewFactory(status=Review.Status.HELD, rating=2)
    reported = ReviewFactory(rating=5)
    quiet = ReviewFactory(rating=4)
    _report(reported)
    _report(quiet, status=ReviewReport.Status.DISMISSED)

    assert _listed(client, REVIEWS, status__exact="held") == [held]
    assert _listed(client, REVIEWS, open_reports="yes") == [reported]
    assert set(_listed(client, REVIEWS, open_reports="no")) == {held, quiet}
    assert _listed(client, REVIEWS, rating="4") == [quiet]
    assert _listed(client, REVIEWS, rating__exact="4") == [quiet]


def test_the_review_list_searches_text_author_and_provider(client, moderator):
    plumbing = ReviewFactory(text="Fixed the leaking tap under the sink quickly.")
    by_name = ReviewFactory(booking__customer__name="Quentin Quill")
    by_provider = ReviewFactory(booking__service__provider__business_name="Zeta Gardens")

    assert _listed(client, REVIEWS, q="leaking tap") == [plumbing]
    assert _listed(client, REVIEWS, q="Quill") == [by_name]
    assert _listed(client, REVIEWS, q=by_name.author.email) == [by_name]
    assert _listed(client, REVIEWS, q="Zeta") == [by_provider]


def test_review_text_is_shown_as_text(client, moderator):
    review = ReviewFactory(text="<script>alert('x')</script> and a good job overall")

    for url in (REVIEWS, reverse("admin:reviews_review_change", args=[review.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


@pytest.mark.parametrize("count", [2, 6])
def test_the_review_list_query_count_does_not_grow_with_rows(
    client, moderator, django_assert_num_queries, count
):
    for review in ReviewFactory.create_batch(count):
        _report(review)

    # Session, user, two permission reads, the rating filter's choices, the two counts,
    # the rows (with their open reports counted in the same query).
    with django_assert_num_queries(8):
        assert len(_listed(client, REVIEWS)) == count


def test_a_moderator_dismisses_reports_with_a_reason(client, moderator):
    reports = [_report(ReviewFactory()) for _ in range(2)]

    question = _act(client, REPORTS, "dismiss", reports)
    assert "Dismiss: nothing wrong with the review" in question.content.decode()
    assert ReviewReport.objects.filter(status="open").count() == 2

    done = _act(client, REPORTS, "dismiss", reports, apply="1", reason="Honest reviews")

    assert "2 report(s) dismissed" in done.content.decode()
    assert ReviewReport.objects.filter(status="dismissed", handled_by=moderator).count() == 2
    assert ModerationAction.objects.filter(action="dismiss_review_report").count() == 2
    again = _act(client, REPORTS, "dismiss", reports[:1], apply="1", reason="Again")
    assert "was handled already" in again.content.decode()


def test_a_moderator_dismisses_signals_and_reads_them_per_person(client, moderator):
    review = ReviewFactory()
    mine = _signal(review)
    other = _signal(ReviewFactory(), rule=FraudSignal.Rule.DUPLICATE_TEXT)
    account = _signal(user=UserFactory(), rule=FraudSignal.Rule.DISPOSABLE_EMAIL)

    assert _listed(client, SIGNALS, user__id__exact=review.author_id) == [mine]
    assert _listed(client, SIGNALS, provider__id__exact=review.provider_id) == [mine]
    assert _listed(client, SIGNALS, rule__exact="duplicate_text") == [other]
    assert set(_listed(client, SIGNALS, status__exact="open")) == {mine, other, account}
    html = client.get(SIGNALS).content.decode()
    assert reverse("admin:accounts_user_change", args=[review.author_id]) in html
    assert reverse("admin:accounts_providerprofile_change", args=[review.provider_id]) in html
    assert reverse("admin:reviews_review_change", args=[review.pk]) in html

    _act(client, SIGNALS, "dismiss", [mine, account], apply="1", reason="Checked: real")

    assert set(FraudSignal.objects.filter(status="dismissed")) == {mine, account}
    assert FraudSignal.objects.get(pk=mine.pk).handled_reason == "Checked: real"


def test_an_empty_reason_dismisses_nothing(client, moderator):
    signal = _signal(ReviewFactory())

    response = _act(client, SIGNALS, "dismiss", [signal], apply="1", reason="")

    assert response.status_code == 200
    assert FraudSignal.objects.get().status == "open"


def test_customer_ratings_are_read_only(client, moderator):
    booking = CompletedBookingFactory()
    rating = CustomerRating.objects.create(
        booking=booking, customer=booking.customer, provider=booking.provider, rating=2
    )

    assert _listed(client, RATINGS) == [rating]
    page = client.get(reverse("admin:reviews_customerrating_change", args=[rating.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:reviews_customerrating_add")).status_code == 403
    delete = reverse("admin:reviews_customerrating_delete", args=[rating.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert CustomerRating.objects.exists()


def test_plain_staff_get_403_on_every_list_and_action(client):
    client.force_login(plain_staff_make())
    report = _report(ReviewFactory())
    signal = _signal(ReviewFactory())

    for url in (REVIEWS, REPORTS, SIGNALS, RATINGS):
        assert client.get(url).status_code == 403
    assert _act(client, REPORTS, "dismiss", [report], apply="1", reason="x").status_code == 403
    assert _act(client, SIGNALS, "dismiss", [signal], apply="1", reason="x").status_code == 403
    assert ReviewReport.objects.get().status == FraudSignal.objects.get().status == "open"


def test_a_moderator_publishes_hides_and_restores_reviews_in_bulk(client, moderator):
    held = ReviewFactory.create_batch(2, status=Review.Status.HELD, published_at=None)
    service = held[0].service

    question = _act(client, REVIEWS, "publish", held)
    assert "Publish selected held reviews" in question.content.decode()
    assert Review.objects.filter(status="held").count() == 2

    _act(client, REVIEWS, "publish", held, apply="1", reason="Checked with the customer")
    assert Review.objects.filter(status="published").count() == 2
    service.refresh_from_db()
    assert service.rating_count == 1  # the figures follow (one review was of this listing)

    _act(client, REVIEWS, "hide", held, apply="1", reason="Paid-for reviews")
    assert set(Review.objects.values_list("status_reason", flat=True)) == {"Paid-for reviews"}
    assert Review.objects.filter(status="hidden").count() == 2
    service.refresh_from_db()
    assert service.rating_count == 0

    _act(client, REVIEWS, "restore", held, apply="1", reason="Appeal upheld")
    assert Review.objects.filter(status="published").count() == 2
    actions = list(
        ModerationAction.objects.filter(actor=moderator).values_list("action", flat=True)
    )
    assert sorted(actions) == sorted(["publish_review", "hide_review", "restore_review"] * 2)


def test_publishing_leaves_reviews_that_are_not_held(client, moderator):
    published = ReviewFactory()
    held = ReviewFactory(status=Review.Status.HELD)

    question = _act(client, REVIEWS, "publish", [published, held])
    assert "1 selected review(s) are not being checked" in question.content.decode()

    _act(client, REVIEWS, "publish", [published, held], apply="1", reason="Fine")
    assert not ModerationAction.objects.filter(target_id=published.pk).exists()
    assert Review.objects.get(pk=held.pk).status == "published"


def test_hiding_needs_a_reason_for_the_author(client, moderator):
    review = ReviewFactory()

    response = _act(client, REVIEWS, "hide", [review], apply="1", reason=" ")

    assert "the author is shown it" in response.content.decode()
    assert Review.objects.get().status == "published"


def test_hiding_a_reported_review_from_its_reports(client, moderator):
    review = ReviewFactory()
    reports = [_report(review), _report(review, reason="offensive")]

    done = _act(client, REPORTS, "hide_review", reports[:1], apply="1", reason="Abusive")

    assert "1 report(s) actioned: review hidden" in done.content.decode()
    review.refresh_from_db()
    assert (review.status, review.status_reason) == ("hidden", "Abusive")
    assert set(ReviewReport.objects.values_list("status", flat=True)) == {"actioned"}


def test_plain_staff_cannot_change_reviews(client):
    client.force_login(plain_staff_make())
    review = ReviewFactory()

    for action in ("publish", "hide", "restore"):
        response = _act(client, REVIEWS, action, [review], apply="1", reason="x")
        assert response.status_code == 403
    assert (
        _act(client, REPORTS, "hide_review", [_report(review)], apply="1", reason="x").status_code
        == 403
    )
    assert Review.objects.get().status == "published"
