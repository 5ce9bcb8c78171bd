"""The shape of a subcategory's `attribute_schema`: the extra fields its listings carry.

A schema is a list of fields such as
``{"name": "pest_type", "label": "Pest type", "type": "choice", "choices": ["Termites", ...],
"required": true}``. Listing attributes are validated against it in the service layer.
"""

import re

from django.core.exceptions import ValidationError

ATTRIBUTE_TYPES = ("text", "number", "boolean", "choice")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def validate_attribute_schema(schema: object) -> None:
    if not isinstance(schema, list):
        raise ValidationError("The attribute schema must be a list of fields.")
    seen: set[str] = set()
    for position, field in enumerate(schema, start=1):
        where = f"Field {position}"
        if not isinstance(field, dict):
            raise ValidationError(f"{where} must be an object with name, label and type.")
        name = field.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            raise ValidationError(
                f"{where}: name must be lower_snake_case letters and digits (at most 40)."
            )
        if name in seen:
            raise ValidationError(f"{where}: the name {name!r} is used twice.")
        seen.add(name)
        if not isinstance(field.get("label"), str) or not field["label"].strip():
            raise ValidationError(f"{where} ({name}): a label is required.")
        if field.get("type") not in ATTRIBUTE_TYPES:
            raise ValidationError(
                f"{where} ({name}): type must be one of {', '.join(ATTRIBUTE_TYPES)}."
            )
        choices = field.get("choices")
        if field["type"] == "choice":
            if not (
                isinstance(choices, list) and choices and all(isinstance(c, str) for c in choices)
            ):
                raise ValidationError(f"{where} ({name}): a choice field needs a list of choices.")
        elif choices is not None:
            raise ValidationError(f"{where} ({name}): only choice fields take choices.")
        if not isinstance(field.get("required", False), bool):
            raise ValidationError(f"{where} ({name}): required must be true or false.")
