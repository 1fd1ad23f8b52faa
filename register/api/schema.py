"""The OpenAPI schema documents the errors every operation can really answer, in one place.

drf-spectacular documents only the success response of each operation. The API also answers, with
the two error shapes of API.md (register/api/errors.py):

- 400 with DRF's validation shape, {"field": ["message", ...], ...} (nested objects and lists for
  nested fields), or with a domain error {"detail", "code", ...extra};
- 401, 403, 404, 409, 415 and 429 with {"detail", "code", ...extra}.

`RegisterAutoSchema` adds each of them to the operations that can give it, derived from what the
operation is (a request body, query or path parameters, who may call it), so that a new view is
documented without annotations. The fuzz test (tests/test_api_fuzz.py) holds the schema to it.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from register.errors import ErrorCode

# Operations whose service can refuse with 409 (register.errors.ConflictError): the last free place
# was taken, a child was placed meanwhile, a proposal was confirmed already.
CONFLICT_OPERATIONS = frozenset(
    {"placements_create", "batch_matches_confirm_create", "matches_create", "batch_matches_create"}
)

ERROR = {
    "type": "object",
    "description": "A refusal: a sentence for people and a stable machine code. Domain rules may add "
    "fields (e.g. `missing`, `vacancies`, `children`).",
    "properties": {
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "A rule of the register refusing: one of "
            + ", ".join(f"`{code}`" for code in ErrorCode.values)
            + " (README, 'Error codes'); other refusals carry DRF's codes (`not_authenticated`, "
            "`permission_denied`, `not_found`, `throttled`, ...).",
        },
        "overridable": {
            "type": "boolean",
            "description": "A placement's fit rule: send `override_reason` to place all the same.",
        },
        "codes": {
            "type": "array",
            "items": {"type": "string"},
            "description": "A placement refused: every eligibility rule the family fails for these children.",
        },
    },
    "required": ["detail", "code"],
}

VALIDATION_ERROR = {
    "type": "object",
    "description": "Bad input: each field named with its messages (`non_field_errors` for the request "
    "as a whole); nested fields give an object, list items a list with one entry per item.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}, {"type": "array"}]}},
            {"type": "object"},
        ]
    },
}

DESCRIPTIONS = {
    "400": "Bad input (fields named, DRF's shape) or a rule of the register (`detail` and `code`).",
    "401": "Not logged in, or the token is not valid or has expired.",
    "403": "The caller's role may not do this.",
    "404": "No such record in the caller's provinces (or no such page of the list).",
    "409": "The request collides with the current state of the register.",
    "415": "The request body's media type is not accepted.",
    "429": "Too many attempts; try again later.",
}


class RegisterAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        filters = self._filters()
        for parameter in operation.get("parameters", []):
            if parameter.get("in") != "query":
                continue
            schema = parameter.get("schema", {})
            # An empty query value means the same as leaving the parameter out (django-filter and
            # DRF read `?status=` as no filter), so `?status=` is a valid request, not a bad enum value.
            if parameter.get("required"):
                # A required parameter given empty is missing: 400.
                if schema.get("type") == "string":
                    schema.setdefault("minLength", 1)
            elif schema.get("type") != "array":
                parameter["allowEmptyValue"] = True
            # Limits a filter checks (a province code has 2 characters) belong in the schema too.
            field = filters.get(parameter["name"])
            if field is not None and schema.get("type") == "string" and field.extra.get("max_length"):
                schema["maxLength"] = field.extra["max_length"]
        error = self._component(registry, "Error", ERROR)
        validation = self._component(registry, "ValidationError", VALIDATION_ERROR)
        for status in self._error_statuses(operation):
            if status in operation["responses"]:
                continue
            schema = {"oneOf": [validation, error]} if status == "400" else error
            operation["responses"][status] = {
                "description": DESCRIPTIONS[status],
                "content": {"application/json": {"schema": schema}},
            }
        return operation

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A serializer that refuses keys it does not know (`rejects_unknown_keys`) says so in the
        # request schema; every other body accepts and ignores unknown fields (DRF's default).
        if direction == "request" and getattr(serializer, "rejects_unknown_keys", False):
            schema["additionalProperties"] = False
        return schema

    def _filters(self) -> dict:
        filterset_class = getattr(self.view, "filterset_class", None)
        return dict(filterset_class.base_filters) if filterset_class is not None else {}

    def _error_statuses(self, operation) -> list[str]:
        locations = {p.get("in") for p in operation.get("parameters", [])}
        has_body = "requestBody" in operation
        public = all(issubclass(p, AllowAny) for p in self.view.permission_classes)
        statuses = []
        if has_body or "query" in locations:
            statuses.append("400")
        # Any request carrying an invalid token is refused, even on public reference data.
        statuses.append("401")
        # Public reading is open to all; logging in refuses a locked account with 403.
        if not public or self.method != "GET":
            statuses.append("403")
        # Path parameters name a record; query parameters may ask for a page that does not exist.
        if "path" in locations or "query" in locations:
            statuses.append("404")
        if operation.get("operationId") in CONFLICT_OPERATIONS:
            statuses.append("409")
        if has_body:
            statuses.append("415")
        if self.view.throttle_classes:
            statuses.append("429")
        return statuses

    @staticmethod
    def _component(registry, name, schema) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        registry.register_on_missing(component)
        return component.ref
