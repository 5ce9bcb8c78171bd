import factory

from accounts.tests.factories import UserFactory
from notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "booking_requested"
    title = factory.Sequence(lambda n: f"Booking request {n}")
    body = "Casey wants a plumber on Tuesday morning."
    url = "/accounts/profile/"
