"""Two people writing at once: every message gets the next seq, none is lost, none collides."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import ProviderProfileFactory, UserFactory
from chat import services
from chat.models import Conversation, Message
from marketplace.testing import database_pool

WRITERS = 8


@pytest.fixture(autouse=True)
def a_connection_for_every_thread(transactional_db):
    with database_pool(max_size=WRITERS + 1):
        yield


@pytest.fixture
def pair(transactional_db):
    customer = UserFactory()
    provider = ProviderProfileFactory(approved=True)
    conversation = services.conversation_open(user=customer, provider=provider)
    return conversation, customer, provider.user


def _in_thread(work):
    def run(*args):
        try:
            return work(*args)
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_without_the_lock_simultaneous_writers_collide(pair):
    """The race is real: read last_seq, then insert, all at once, and seqs clash (the unique
    constraint refuses all but one of each)."""
    conversation, customer, _ = pair
    read = threading.Barrier(WRITERS, timeout=30)

    @_in_thread
    def unlocked(n):
        seq = Conversation.objects.get(pk=conversation.pk).last_seq + 1
        read.wait()
        try:
            with transaction.atomic():
                Message.objects.create(conversation=conversation, seq=seq, sender=customer)
        except IntegrityError:
            return "clash"
        return "saved"

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(unlocked, range(WRITERS)))
    assert outcomes.count("saved") == 1
    assert outcomes.count("clash") == WRITERS - 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_senders_get_consecutive_seqs(pair):
    conversation, customer, pro = pair
    start = threading.Barrier(WRITERS, timeout=30)

    @_in_thread
    def send(n):
        sender = customer if n % 2 else pro
        mine = Conversation.objects.select_related("provider").get(pk=conversation.pk)
        start.wait()
        return services.message_send(conversation=mine, sender=sender, body=f"m{n}").seq

    with ThreadPoolExecutor(WRITERS) as pool:
        seqs = sorted(pool.map(send, range(WRITERS)))
    assert seqs == list(range(1, WRITERS + 1))
    conversation.refresh_from_db()
    assert conversation.last_seq == WRITERS
    assert Message.objects.count() == WRITERS


@pytest.mark.django_db(transaction=True)
def test_both_sides_opening_at_once_get_one_conversation(transactional_db):
    customer = UserFactory()
    provider = ProviderProfileFactory(approved=True)
    start = threading.Barrier(WRITERS, timeout=30)

    @_in_thread
    def open_it(n):
        start.wait()
        return services.conversation_open(user=customer, provider=provider).pk

    with ThreadPoolExecutor(WRITERS) as pool:
        opened = set(pool.map(open_it, range(WRITERS)))
    assert len(opened) == 1
    assert Conversation.objects.count() == 1
