import factory
from django.utils import timezone

from accounts.models import ProviderProfile, User
from places.tests.factories import CityFactory

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Faker("name", locale="en_AU")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(user, create, extracted, **kwargs):
        """Mark the email verified (allauth's EmailAddress) unless verified=False is passed."""
        if not create:
            return
        user.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(
            user=user, email=user.email, primary=True, verified=extracted is not False
        )


class ProviderProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderProfile

    class Params:
        approved = factory.Trait(
            status=ProviderProfile.Status.APPROVED, approved_at=factory.LazyFunction(timezone.now)
        )

    user = factory.SubFactory(UserFactory, wants_to_offer_services=True)
    business_name = factory.Sequence(lambda n: f"Bright Spark Electrical {n}")
    slug = factory.Sequence(lambda n: f"bright-spark-electrical-{n}")
    bio = "Licensed electricians serving the whole metro area since 2009."
    base_city = factory.SubFactory(CityFactory)
    base_point = factory.LazyAttribute(lambda profile: profile.base_city.point)
    service_radius_km = 30
    licence_number = "EC12345"
