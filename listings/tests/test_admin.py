import pytest
import tablib

from listings.models import Service
from listings.resources import ServiceResource
from listings.tests.factories import ServiceFactory, SubcategoryFactory

pytestmark = pytest.mark.django_db

PEST_SCHEMA = [
    {
        "name": "pest_type",
        "label": "Pest type",
        "type": "choice",
        "choices": ["Termites", "Cockroaches"],
        "required": True,
    }
]


def exported(service: Service) -> tablib.Dataset:
    return ServiceResource().export(queryset=Service.objects.filter(pk=service.pk))


def test_a_catalogue_round_trip_updates_the_listing_and_its_search_vector():
    service = ServiceFactory(title="Switchboard upgrade")
    dataset = exported(service)
    assert dataset.dict[0]["subcategory"] == service.subcategory.slug
    assert dataset.dict[0]["point"] == f"{service.point.y:.6f},{service.point.x:.6f}"

    row = dataset.dict[0] | {"title": "Termite barrier install", "point": "-31.95,115.86"}
    result = ServiceResource().import_data(tablib.Dataset(*[row.values()], headers=list(row)))

    assert not result.has_errors() and not result.has_validation_errors()
    service.refresh_from_db()
    assert service.title == "Termite barrier install"
    assert (round(service.point.y, 2), round(service.point.x, 2)) == (-31.95, 115.86)
    assert Service.objects.filter(search_vector="termite").exists()


def test_a_row_whose_attributes_do_not_fit_the_schema_is_refused():
    service = ServiceFactory(
        subcategory=SubcategoryFactory(attribute_schema=PEST_SCHEMA),
        attributes={"pest_type": "Termites"},
    )
    row = exported(service).dict[0] | {"attributes": '{"pest_type": "Dragons"}', "title": "New"}
    result = ServiceResource().import_data(tablib.Dataset(*[row.values()], headers=list(row)))

    assert result.has_validation_errors()
    service.refresh_from_db()
    assert (service.title, service.attributes) != ("New", {"pest_type": "Dragons"})
    assert service.attributes == {"pest_type": "Termites"}


def test_a_bad_point_is_an_error_not_a_crash():
    service = ServiceFactory()
    row = exported(service).dict[0] | {"point": "somewhere near Bondi"}
    result = ServiceResource().import_data(tablib.Dataset(*[row.values()], headers=list(row)))
    assert result.has_errors() or result.has_validation_errors()


def test_a_moderator_hides_a_listing_with_a_reason_and_the_change_is_logged(client, admin_user):
    from django.contrib.admin.models import LogEntry
    from django.urls import reverse

    from accounts.models import ModerationAction

    service = ServiceFactory()
    client.force_login(admin_user)
    changelist = reverse("admin:listings_service_changelist")
    ask = {"action": "hide", "_selected_action": [service.pk]}
    question = client.post(changelist, ask)
    assert question.status_code == 200 and service.title in question.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.ACTIVE

    client.post(changelist, ask | {"apply": "1", "reason": "Misleading photos"})

    service.refresh_from_db()
    assert service.status == Service.Status.HIDDEN
    assert LogEntry.objects.get(object_id=str(service.pk)).get_change_message() == (
        "hidden by a moderator: Misleading photos"
    )
    line = ModerationAction.objects.get(action="hide_listing")
    assert (line.reason, line.provider, line.target_id) == (
        "Misleading photos",
        service.provider,
        service.pk,
    )
    response = client.post(
        changelist,
        {"action": "unhide", "_selected_action": [service.pk], "apply": "1", "reason": "Fixed"},
        follow=True,
    )
    assert "1 listing(s) unhidden" in response.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.PAUSED
    assert ModerationAction.objects.filter(action="unhide_listing", reason="Fixed").exists()
