"""The support pages: the booking page's panel, reporting a problem, the case page with its
conversation and photos, a person's cases; everyone else gets 404."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from bookings.tests.factories import BookingFactory
from support import services
from support.models import Case, CasePhoto
from support.tests.conftest import png
from support.tests.factories import CaseFactory, finished_booking

pytestmark = pytest.mark.django_db


def _report(booking, **fields):
    return services.case_open(
        booking=booking,
        user=booking.customer,
        reason=fields.pop("reason", Case.Reason.DAMAGE),
        description=fields.pop("description", "The fence was scratched by the ladder."),
        **fields,
    )


def test_the_booking_page_offers_a_report_then_links_the_open_case(client, booking):
    page = reverse("booking_detail", args=[booking.pk])
    client.force_login(booking.customer)
    assert reverse("case_new", args=[booking.pk]) in client.get(page).text

    case = _report(booking)

    html = client.get(page).text
    assert case.get_absolute_url() in html
    assert reverse("case_new", args=[booking.pk]) not in html
    client.force_login(booking.provider.user)
    assert case.get_absolute_url() in client.get(page).text


def test_no_report_link_outside_the_window(client, db, places):
    old = finished_booking(at=timezone.now() - timedelta(days=8))
    pending = BookingFactory(customer=old.customer)
    client.force_login(old.customer)

    for booking in (old, pending):
        html = client.get(reverse("booking_detail", args=[booking.pk])).text
        assert reverse("case_new", args=[booking.pk]) not in html
        answer = client.get(reverse("case_new", args=[booking.pk]))
        assert answer.status_code == 302  # back to the booking, with the reason


def test_reporting_with_photos_opens_the_case(client, booking):
    client.force_login(booking.customer)

    answer = client.post(
        reverse("case_new", args=[booking.pk]),
        {
            "reason": "poor_quality",
            "description": "Two of the power points do not work.",
            "photos": [png(), png("b.png")],
        },
    )

    case = Case.objects.get()
    assert answer.status_code == 302 and answer.url == case.get_absolute_url()
    html = client.get(case.get_absolute_url()).text
    assert "Two of the power points do not work." in html
    keys = re.findall(r"/support/photos/([0-9a-f-]{36})-thumb\.jpg", html)
    assert len(keys) == 2
    photo = client.get(reverse("case_photo", args=[keys[0]]))
    assert photo.status_code == 200 and photo["Cache-Control"].startswith("private")


@pytest.mark.parametrize(
    "fields",
    [
        {"reason": "", "description": ""},
        {"reason": "other", "description": "Two of the power points do not work."},
        {"reason": "damage", "description": "x" * 5000},
        {"reason": "damage", "description": "\x00\x00"},
        {"reason": ["damage", "billing"], "description": "٣" * 5},
    ],
)
def test_bad_reports_get_a_message_and_change_nothing(client, booking, fields):
    client.force_login(booking.customer)

    answer = client.post(reverse("case_new", args=[booking.pk]), fields)

    assert answer.status_code == 400
    assert "Please check your answers" in answer.text
    assert not Case.objects.exists()


def test_too_many_photos_are_refused(client, booking):
    client.force_login(booking.customer)

    answer = client.post(
        reverse("case_new", args=[booking.pk]),
        {"reason": "damage", "description": "Scratched fence.", "photos": [png()] * 5},
    )

    assert answer.status_code == 400
    assert not CasePhoto.objects.exists()


def test_parties_and_moderators_write_in_the_case(client, booking):
    case = _report(booking)
    for person in (booking.provider.user, moderator_make(), booking.customer):
        client.force_login(person)
        answer = client.post(case.get_absolute_url(), {"body": f"From {person.name}"})
        assert answer.status_code == 302
    html = client.get(case.get_absolute_url()).text
    assert "A moderator" in html
    assert case.messages.count() == 3

    assert client.post(case.get_absolute_url(), {"body": ""}).status_code == 400


def test_a_closed_case_shows_its_outcome_and_takes_no_messages(client, booking):
    case = _report(booking)
    services.case_close(
        case=case, actor=moderator_make(), outcome="provider", note="The work was to the quote."
    )
    client.force_login(booking.customer)

    html = client.get(case.get_absolute_url()).text

    assert "Resolved for the provider" in html and "The work was to the quote." in html
    assert 'id="case-form"' not in html
    answer = client.post(case.get_absolute_url(), {"body": "But..."})
    assert answer.status_code == 409
    assert case.messages.count() == 0


def test_other_people_get_404_everywhere(client, booking):
    case = _report(booking, photos=[png()])
    key = case.photos.get().key
    other_provider = ProviderProfileFactory(approved=True).user
    for person in (UserFactory(), other_provider):
        client.force_login(person)
        for url in (
            reverse("case_new", args=[booking.pk]),
            case.get_absolute_url(),
            reverse("case_photo", args=[key]),
            reverse("case_photo_thumb", args=[key]),
        ):
            assert client.get(url).status_code == 404, url
        assert client.post(case.get_absolute_url(), {"body": "Hi"}).status_code == 404
    assert case.messages.count() == 0
    # Never as a plain media file.
    name = case.photos.get().image.name
    assert client.get(f"/media/{name}").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, booking):
    case = _report(booking)
    for url in (reverse("case_new", args=[booking.pk]), case.get_absolute_url()):
        assert client.get(url)["Location"].startswith(reverse("account_login"))


def test_the_case_list_shows_my_cases_only_in_a_fixed_number_of_queries(
    client, booking, django_assert_num_queries
):
    mine = _report(booking)
    theirs = CaseFactory()
    client.force_login(booking.customer)
    client.get(reverse("case_list"))

    # The frame's (session, user, the header's counts) and one for the cases with their
    # bookings and listings, however many there are.
    with django_assert_num_queries(6):
        html = client.get(reverse("case_list")).text
    for _ in range(3):
        CaseFactory(booking=finished_booking(customer=booking.customer))
    with django_assert_num_queries(6):
        client.get(reverse("case_list"))

    assert mine.get_absolute_url() in html and theirs.get_absolute_url() not in html
    client.force_login(booking.provider.user)
    assert mine.get_absolute_url() in client.get(reverse("case_list")).text


def test_the_case_page_runs_a_fixed_number_of_queries(client, booking, django_assert_num_queries):
    case = _report(booking)
    services.case_post(case=case, author=booking.provider.user, body="One", photos=[png()])
    client.force_login(booking.customer)
    client.get(case.get_absolute_url())

    with django_assert_num_queries(10) as counted:
        client.get(case.get_absolute_url())
    for number in range(3):
        services.case_post(case=case, author=booking.customer, body=f"More {number}")
    with django_assert_num_queries(len(counted)):
        client.get(case.get_absolute_url())
