"""The support API: list and report, one case, its messages; 404 for everyone else."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from accounts.tests.moderators import moderator_make
from support import services
from support.models import Case
from support.tests.conftest import png
from support.tests.factories import CaseFactory, finished_booking

pytestmark = pytest.mark.django_db
CASES = "/api/support/cases/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_reporting_through_the_api_with_photos(booking):
    answer = _client(booking.customer).post(
        CASES,
        {
            "booking": booking.pk,
            "reason": "not_done",
            "description": "Nobody came on the day.",
            "photos": [png()],
        },
        format="multipart",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["reason"], body["state"], body["opened_by_me"]) == ("not_done", "open", True)
    assert body["photos"][0]["thumb_url"].startswith("/support/photos/")
    again = _client(booking.provider.user).post(
        CASES,
        {"booking": booking.pk, "reason": "billing", "description": "The customer did not pay."},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["code"] == "case_already_open"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"booking": "99999999999999999999", "reason": "damage", "description": "x" * 20},
        {"booking": 1, "reason": "nope", "description": "Nobody came on the day."},
        {"booking": 1, "reason": "damage", "description": "x" * 2001},
        {"booking": 1, "reason": "damage", "description": "\x00"},
    ],
)
def test_bad_input_is_a_400_and_changes_nothing(booking, data):
    if data.get("booking") == 1:
        data["booking"] = booking.pk

    answer = _client(booking.customer).post(CASES, data, format="json")

    assert answer.status_code == 400
    assert set(answer.json()) == {"code", "message", "fields"}
    assert not Case.objects.exists()


def test_someone_elses_booking_is_a_404(booking):
    answer = _client(UserFactory()).post(
        CASES,
        {"booking": booking.pk, "reason": "damage", "description": "Nobody came on the day."},
        format="json",
    )
    assert answer.status_code == 404


def test_the_case_and_its_messages_for_parties_and_moderators_only(booking):
    case = services.case_open(
        booking=booking, user=booking.customer, reason="damage", description="Scratched fence."
    )
    url = f"{CASES}{case.pk}/"
    moderator = moderator_make()
    for person, role in ((booking.provider.user, "provider"), (moderator, "moderator")):
        sent = _client(person).post(f"{url}messages/", {"body": f"I am the {role}"}, format="json")
        assert sent.status_code == 201
        assert (sent.json()["author_role"], sent.json()["mine"]) == (role, True)

    listed = _client(booking.customer).get(f"{url}messages/").json()
    assert [m["author_role"] for m in listed["results"]] == ["provider", "moderator"]
    assert _client(moderator).get(url).status_code == 200
    for stranger in (UserFactory(), ProviderProfileFactory(approved=True).user):
        client = _client(stranger)
        assert client.get(url).status_code == 404
        assert client.get(f"{url}messages/").status_code == 404
        assert client.post(f"{url}messages/", {"body": "Hi"}, format="json").status_code == 404
        assert client.get(CASES).json()["results"] == []
    assert case.messages.count() == 2


def test_the_list_pins_its_query_count(booking, django_assert_num_queries):
    services.case_open(
        booking=booking, user=booking.customer, reason="damage", description="Scratched fence."
    )
    client = _client(booking.customer)

    # The count and the page (cases with their bookings and listings in one query).
    with django_assert_num_queries(2):
        assert len(client.get(CASES).json()["results"]) == 1
    for _ in range(3):
        CaseFactory(booking=finished_booking(customer=booking.customer))
    with django_assert_num_queries(2):
        assert len(client.get(CASES).json()["results"]) == 4


def test_the_messages_pin_their_query_count(booking, django_assert_num_queries):
    case = services.case_open(
        booking=booking, user=booking.customer, reason="damage", description="Scratched fence."
    )
    client = _client(booking.customer)
    url = f"{CASES}{case.pk}/messages/"
    services.case_post(case=case, author=booking.provider.user, body="One", photos=[png()])

    # The case, the count, the messages with their authors, their photos.
    with django_assert_num_queries(4):
        client.get(url)
    for number in range(3):
        services.case_post(case=case, author=booking.customer, body=f"More {number}")
    with django_assert_num_queries(4):
        assert len(client.get(url).json()["results"]) == 4
