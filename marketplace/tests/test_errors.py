"""Domain errors and the one adapter that shows them on pages."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from marketplace.errors import Conflict, DomainError, Invalid, NotAllowed, WrongState
from marketplace.pages import error_status, form_add_error, messages_add_error


class PhotoForm(forms.Form):
    photo = forms.CharField(required=False)
    caption = forms.CharField(required=False)


def bound_form() -> PhotoForm:
    form = PhotoForm({"photo": "x", "caption": "y"})
    assert form.is_valid()
    return form


def test_each_error_has_a_stable_code_and_a_message():
    assert [cls("No.").code for cls in (NotAllowed, WrongState, Conflict, Invalid)] == [
        "not_allowed",
        "wrong_state",
        "conflict",
        "invalid",
    ]
    assert str(NotAllowed("Only the provider can accept this booking.")) == (
        "Only the provider can accept this booking."
    )
    assert Conflict("Taken.", code="slot_taken").code == "slot_taken"


def test_invalid_carries_general_and_per_input_messages():
    error = Invalid(["Nothing was saved."], fields={"upload": "Too big.", "title": ["A", "B"]})

    assert error.general == ["Nothing was saved."]
    assert error.fields == {"upload": ["Too big."], "title": ["A", "B"]}
    assert error.messages == ["Nothing was saved.", "Too big.", "A", "B"]
    assert Invalid(fields={"title": "Give it a title."}).message == "Give it a title."


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (Invalid("Bad."), 400),
        (NotAllowed("Not yours."), 403),
        (WrongState("Already cancelled."), 409),
        (Conflict("Just taken."), 409),
        (DomainError("Something."), 400),
    ],
)
def test_pages_answer_each_class_with_its_status(error, status):
    assert error_status(error) == status


def test_field_errors_land_on_their_fields_through_the_name_map():
    form = bound_form()
    form_add_error(
        form,
        Invalid("Check the form.", fields={"upload": "Too big.", "unknown": "Odd."}),
        fields={"upload": "photo"},
    )
    assert form.errors["photo"] == ["Too big."]
    assert form.non_field_errors() == ["Check the form.", "Odd."]


def test_other_errors_go_to_the_top_of_the_form():
    form = bound_form()
    form_add_error(form, WrongState("This booking is cancelled."))
    assert form.non_field_errors() == ["This booking is cancelled."]
    assert "photo" not in form.errors


def test_messages_flash_every_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    messages_add_error(request, Invalid("One.", fields={"x": "Two."}))
    assert [str(m) for m in get_messages(request)] == ["One.", "Two."]
