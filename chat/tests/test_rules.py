"""Who may open a conversation: every case of customer and provider, and never cold."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ProviderProfile
from accounts.tests.factories import ProviderProfileFactory, UserFactory
from bookings.tests.factories import BookingFactory
from chat import services
from chat.models import Conversation
from jobs.tests.support import send_quote
from listings.tests.factories import ServiceFactory
from marketplace.errors import NotAllowed, WrongState


def test_customer_opens_about_a_listing_once(customer, service):
    first = services.conversation_open(user=customer, provider=service.provider, about=service)
    again = services.conversation_open(user=customer, provider=service.provider)
    assert first.pk == again.pk
    assert (first.customer, first.provider) == (customer, service.provider)
    assert Conversation.objects.count() == 1


def test_customer_cannot_open_about_another_providers_listing(customer, service):
    other = ServiceFactory()
    with pytest.raises(NotAllowed):
        services.conversation_open(user=customer, provider=service.provider, about=other)
    assert not Conversation.objects.exists()


def test_customer_cannot_open_about_someone_elses_booking(customer, service):
    booking = BookingFactory(service=service)
    with pytest.raises(NotAllowed):
        services.conversation_open(user=customer, provider=service.provider, about=booking)


def test_customer_cannot_message_an_unapproved_provider(customer):
    pending = ProviderProfileFactory()
    with pytest.raises(WrongState):
        services.conversation_open(user=customer, provider=pending)


def test_nobody_messages_themselves(pro):
    with pytest.raises(NotAllowed):
        services.conversation_open(user=pro, provider=pro.provider_profile)


def test_an_inactive_user_cannot_open(customer, service):
    customer.is_active = False
    with pytest.raises(NotAllowed):
        services.conversation_open(user=customer, provider=service.provider)


def test_provider_never_opens_cold(pro, customer):
    with pytest.raises(NotAllowed, match="out of the blue"):
        services.conversation_open(user=pro, customer=customer)
    assert not Conversation.objects.exists()


def test_provider_cannot_open_about_its_own_listing(pro, customer, service):
    with pytest.raises(NotAllowed):
        services.conversation_open(user=pro, customer=customer, about=service)


def test_provider_opens_about_a_booking_with_the_customer(pro, customer, service):
    booking = BookingFactory(service=service, customer=customer)
    conversation = services.conversation_open(user=pro, customer=customer, about=booking)
    assert conversation.customer == customer


def test_provider_cannot_open_about_anothers_booking(pro, customer, service):
    booking = BookingFactory(service=service)  # another customer's
    with pytest.raises(NotAllowed):
        services.conversation_open(user=pro, customer=customer, about=booking)


def test_provider_may_reply_in_an_existing_conversation(conversation, pro, customer):
    assert services.conversation_open(user=pro, customer=customer).pk == conversation.pk


def test_a_user_without_a_profile_cannot_open_as_provider(customer, stranger):
    with pytest.raises(NotAllowed):
        services.conversation_open(user=stranger, customer=customer)


def test_a_suspended_provider_cannot_open(pro, customer, service):
    booking = BookingFactory(service=service, customer=customer)
    ProviderProfile.objects.filter(pk=service.provider.pk).update(status="suspended")
    pro.provider_profile.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.conversation_open(user=pro, customer=customer, about=booking)


def test_provider_opens_about_a_job_it_can_quote_on(customer, job, plumbers):
    conversation = services.conversation_open(user=plumbers[0].user, customer=customer, about=job)
    assert conversation.provider == plumbers[0]


def test_provider_cannot_open_about_a_job_out_of_its_reach(customer, job, service):
    # `service` is an electrician's listing: it does not take tap repairs.
    with pytest.raises(NotAllowed, match="quote on it"):
        services.conversation_open(user=service.provider.user, customer=customer, about=job)


def test_provider_cannot_open_about_a_closed_job(customer, job, plumbers):
    job.expires_at = timezone.now() - timedelta(minutes=1)
    job.save(update_fields=["expires_at"])
    with pytest.raises(NotAllowed):
        services.conversation_open(user=plumbers[0].user, customer=customer, about=job)


def test_both_sides_open_about_a_quote(customer, job, plumbers):
    quote = send_quote(job, plumbers[0])
    mine = services.conversation_open(user=customer, provider=plumbers[0], about=quote)
    theirs = services.conversation_open(user=plumbers[0].user, customer=customer, about=quote)
    assert mine.pk == theirs.pk


def test_nobody_opens_about_anothers_quote(customer, job, plumbers):
    quote = send_quote(job, plumbers[0])
    with pytest.raises(NotAllowed):
        services.conversation_open(user=customer, provider=plumbers[1], about=quote)
    with pytest.raises(NotAllowed):
        services.conversation_open(user=plumbers[1].user, customer=customer, about=quote)
    outsider = UserFactory()
    with pytest.raises(NotAllowed):
        services.conversation_open(user=plumbers[0].user, customer=outsider, about=quote)
