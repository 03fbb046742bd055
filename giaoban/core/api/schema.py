"""OpenAPI post-processing: every operation documents the errors any view can answer, as the Error body,
so a ViewSet added later needs no per-view declaration."""

from __future__ import annotations

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "message": {"type": "string", "description": "For a person, in the language of Accept-Language."},
        "code": {"type": "string", "description": "Stable machine-readable reason: invalid, not_found, conflict, …"},
        "extra": {
            "type": "object",
            "additionalProperties": {},
            "description": "Details: `fields` (bad fields), `errors` (bad rows).",
        },
    },
    "required": ["message", "code", "extra"],
}
ANY_METHOD = {
    "400": "Bad input; `extra` says which and why (`code`: invalid, parse_error, import_rejected).",
    "401": "Not authenticated (`code`: not_authenticated, authentication_failed).",
    "403": "Your role does not allow it (`code`: permission_denied, csrf_failed).",
    "404": "Not found or outside your units (`code`: not_found).",
    "405": "Method not allowed here (`code`: method_not_allowed).",
    "406": "The Accept header asks for a format not served here (`code`: not_acceptable).",
    "429": "Too many requests, or logins locked out after failures (`code`: throttled, locked_out).",
    "500": "Server error, logged (`code`: server_error).",
}
WITH_BODY = {
    "413": "Body, file or batch over the limit (`code`: too_large).",
    "415": "Content-Type not accepted here (`code`: unsupported_media_type).",
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            documented = operation["responses"]
            statuses = {**ANY_METHOD, **(WITH_BODY if method in ("post", "put", "patch") else {})}
            for code, description in statuses.items():
                documented.setdefault(
                    code, {"content": {"application/json": {"schema": ERROR_REF}}, "description": description}
                )
    return result
