"""Request bodies are read as the schema describes them, and nothing more.

DRF is lenient where the schema is not: a CharField turns `0` into "0", a FloatField reads
"0.5", a BooleanField reads "yes", and keys it does not know are dropped in silence (a client's
typo, `dead_line`, would look saved). Every write serializer takes StrictInput, which refuses
unknown keys and values of another JSON type with a 400 naming them; the schema says the same
(`additionalProperties: false`, see schema.py).
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

ERROR_UNKNOWN_FIELD = gettext_lazy("Unknown field: this request does not take it.")
ERROR_JSON_TYPE = gettext_lazy("Must be a JSON {kind}.")

# (field class, JSON type name, Python types the JSON parser gives for it). Order matters: the
# first match wins, and bool is an int in Python, so it is refused for numbers explicitly.
_KINDS = (
    (serializers.BooleanField, "boolean", (bool,)),
    (serializers.IntegerField, "integer", (int,)),
    (serializers.FloatField, "number", (int, float)),
    (serializers.DecimalField, "number", (int, float)),
    (serializers.CharField, "string", (str,)),
    (serializers.ChoiceField, "string", (str,)),
    (serializers.DateTimeField, "string", (str,)),
    (serializers.ListField, "array", (list,)),
    (serializers.ListSerializer, "array", (list,)),
    (serializers.Serializer, "object", (Mapping,)),
)


def _kind_error(field: serializers.Field, value) -> str | None:
    """The JSON type `field` wants when `value` is not of it, else None."""
    if value is None:
        return None  # allow_null is the field's own rule, with its own message
    for cls, kind, types in _KINDS:
        if isinstance(field, cls):
            wrong_bool = isinstance(value, bool) and bool not in types
            return kind if wrong_bool or not isinstance(value, types) else None
    return None  # a custom field (a judgment's value) checks its own input


class StrictInput:
    """A Serializer mixin: unknown keys and values of the wrong JSON type are errors."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = self._strict_errors(data)
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def _strict_errors(self, data: Mapping) -> dict:
        writable = {name for name, field in self.fields.items() if not field.read_only}
        errors = {
            str(key): [ErrorDetail(str(ERROR_UNKNOWN_FIELD), code="unknown")]
            for key in data
            if key not in writable
        }
        for name in writable & set(data):
            error = _type_error(self.fields[name], data[name])
            if error:
                errors[name] = error
        return errors


def _type_error(field: serializers.Field, value) -> list | dict | None:
    """The error of a value of the wrong JSON type, an array's items included."""
    kind = _kind_error(field, value)
    if kind:
        return [ErrorDetail(str(ERROR_JSON_TYPE).format(kind=kind), code="type")]
    if isinstance(field, serializers.ListField) and isinstance(value, list):
        for position, item in enumerate(value):
            kind = _kind_error(field.child, item)
            if kind:
                message = str(ERROR_JSON_TYPE).format(kind=kind)
                return {position: [ErrorDetail(message, code="type")]}
    return None
