"""The demo conversations: a living inbox for the demo customer and provider, made of real rows
(a real booking and job, read positions from which the unread counts are computed), once."""

import pytest
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from bookings.models import Booking
from chat.models import Conversation, Message, MessagePhoto
from chat.selectors import unread_total
from demo.conversations import CUSTOMER_EMAIL_DOMAIN
from demo.dataset import demo_data
from demo.seed import demo_seed
from jobs.models import JobRequest, Quote

pytestmark = pytest.mark.django_db
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
def test_the_demo_customer_and_provider_have_a_living_inbox_created_once(client):
    first = demo_seed(providers_per_scale=2)
    data = demo_data()
    casey = User.objects.get(email=data.account("customer").email)
    priya = User.objects.get(email=data.account("provider").email)

    theirs = Conversation.objects.get(customer=casey, provider__user=priya)
    messages = list(theirs.messages.order_by("seq"))
    assert [m.seq for m in messages] == list(range(1, theirs.last_seq + 1))
    assert MessagePhoto.objects.filter(message__conversation=theirs).count() == 1
    # The booking she makes (her completed past jobs with Priya are the reviews step's).
    booking = Booking.objects.exclude(status="completed").get(customer=casey, provider__user=priya)
    job = JobRequest.objects.get(customer=casey, provider__user=priya)
    assert any(m.booking_id == booking.pk for m in messages)
    assert any(m.job_id == job.pk for m in messages)
    quote = Quote.objects.get(job=job, provider__user=priya)
    assert any(m.quote_id == quote.pk and m.job_id == job.pk for m in messages)
    assert messages == sorted(messages, key=lambda m: m.created_at)
    assert theirs.last_message_at == messages[-1].created_at

    # Unread counts are computed from the read positions: Priya's last two replies for Casey,
    # a demo customer's question for Priya.
    assert unread_total(user=casey) == theirs.last_seq - theirs.customer_read_seq == 2
    assert unread_total(user=priya) >= 1
    assert Conversation.objects.filter(customer=casey).count() >= 2
    assert Conversation.objects.filter(
        customer__email__endswith=f"@{CUSTOMER_EMAIL_DOMAIN}", provider__user=priya
    ).exists()
    assert first.created["conversations"] == Conversation.objects.count()

    # The photo is a real stored image, shown to the two of them only.
    photo = MessagePhoto.objects.get(message__conversation=theirs)
    client.force_login(casey)
    assert client.get(reverse("chat_photo_thumb", kwargs={"key": photo.key})).status_code == 200
    client.force_login(User.objects.filter(email__endswith=CUSTOMER_EMAIL_DOMAIN).first())
    assert client.get(reverse("chat_photo_thumb", kwargs={"key": photo.key})).status_code == 404

    counts = (Conversation.objects.count(), Message.objects.count(), Booking.objects.count())
    second = demo_seed(providers_per_scale=2)
    assert second.created["conversations"] == 0
    assert (
        Conversation.objects.count(),
        Message.objects.count(),
        Booking.objects.count(),
    ) == counts
