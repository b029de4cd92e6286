"""OpenAPI post-processing: every operation documents the one error shape of errors.py."""

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


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
