"""The API's shared pieces: the schema and its docs page, and the one error format."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from marketplace.api import exception_handler
from marketplace.errors import Conflict, Invalid, NotAllowed, WrongState

pytestmark = pytest.mark.django_db


def test_the_schema_and_its_docs_are_served_from_our_own_files(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Nearhand API"

    docs = client.get("/api/docs/")
    html = docs.content.decode()
    assert docs.status_code == 200
    assert "<style>" not in html and "<script>" not in html  # nothing inline: the CSP refuses it
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "https://" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")


def _handled(error):
    request = APIRequestFactory().get("/api/")
    return exception_handler(error, {"request": request, "view": None})


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (Invalid(fields={"rating": "Choose from 1 to 5 stars."}), 400, "invalid"),
        (NotAllowed("That is not yours."), 403, "not_allowed"),
        (WrongState("This booking is already cancelled."), 409, "wrong_state"),
        (Conflict("That slot was just taken.", code="slot_taken"), 409, "slot_taken"),
    ],
)
def test_domain_errors_answer_one_format(error, status, code):
    response = _handled(error)

    assert response.status_code == status
    assert response.data["code"] == code
    assert set(response.data) == {"code", "message", "fields"}
    if isinstance(error, Invalid):
        assert response.data == {
            "code": "invalid",
            "message": "Check the fields.",
            "fields": {"rating": ["Choose from 1 to 5 stars."]},
        }


def test_serializer_errors_are_flattened_into_fields():
    error = serializers.ValidationError(
        {"text": ["Too short."], "photos": [{"name": ["Required."]}], "non_field_errors": ["No."]}
    )

    response = _handled(error)

    assert response.status_code == 400
    assert response.data == {
        "code": "invalid",
        "message": "No.",
        "fields": {"text": ["Too short."], "photos.0.name": ["Required."]},
    }
