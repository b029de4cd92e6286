"""OpenAPI post-processing: every operation documents the one error shape of errors.py, and
request bodies say what the serializers enforce beyond their fields (strict.py)."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "rule", "message"],
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "rule": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        }
    },
}
ERRORS = {
    "400": "Invalid input: each error names the field and the rule.",
    "401": "No credentials, or an unknown, expired or revoked token.",
    "403": "Not allowed (a read-only token writing, a missing CSRF token).",
    "404": "No such object, or not yours.",
    "405": "The operation does not take this method.",
    "406": "The requested format is not available.",
    "415": "The body's media type is not accepted (send JSON).",
    "429": "Too many attempts; try again later.",
    "503": "The database is unreachable for a moment; nothing was saved. Retry-After says when.",
}


NO_NUL_PATTERN = r"^[^\x00]*$"
# White space as Python counts it (str.isspace: what DRF strips and `\S` skips), spelled out:
# a JSON Schema regex's `\s` is ECMAScript's, which leaves out \x1c-\x1f and \x85 and takes
# in \ufeff, so "\x1c" would be valid text to a client and blank to the server.
PYTHON_WHITE_SPACE = (
    r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
NOT_BLANK_PATTERN = rf"^[^\x00]*[^{PYTHON_WHITE_SPACE}\x00][^\x00]*$"  # more than white space
# A blank evaluation has no template to take its title from, so it needs one of its own.
CREATE_TITLE_RULE = [
    {"required": ["template"], "properties": {"template": {"type": "string"}}},
    {
        "required": ["title"],
        "properties": {"title": {"type": "string", "pattern": NOT_BLANK_PATTERN}},
    },
]


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    error_content = {"application/json": {"schema": reference}}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": error_content})
            for code, response in responses.items():
                # Errors a view declares itself (409) take the one error shape too.
                if code[0] in "45" and "content" not in response:
                    response["content"] = error_content
    _strict_request_bodies(schemas)
    return result


def _strict_request_bodies(schemas: dict) -> None:
    """Request components (COMPONENT_SPLIT_REQUEST names them …Request) refuse unknown keys, as
    the serializers' StrictInput does, and text holding a NUL character, as every CharField
    does (no database column can store one)."""
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
            for prop in component.get("properties", {}).values():
                _text_without_nul(prop.get("items", prop))
    if "EvaluationCreateRequest" in schemas:
        schemas["EvaluationCreateRequest"]["anyOf"] = CREATE_TITLE_RULE


def _text_without_nul(schema: dict) -> None:
    if schema.get("type") != "string" or "format" in schema or "enum" in schema:
        return
    schema["pattern"] = NOT_BLANK_PATTERN if schema.get("pattern") == r"\S" else NO_NUL_PATTERN
