"""LINE's own OpenAPI description of the Messaging API (``tests/specs/line-openapi``), read as
JSON Schema: the fake LINE server (bot/fakeline) finds each request's operation by method and
path template, knows which host serves it (``servers:``: content uploads live on
``api-data.line.me``) and validates its JSON body against the operation's ``requestBody``
schema, as LINE refuses an invalid request with 400.

OpenAPI 3.0 schemas are not quite JSON Schema; three things are translated:

- ``discriminator`` (``propertyName: type`` with a ``mapping``): a plain validator ignores it
  and checks only the base schema (``Message``: a ``type`` string), so a wrong Flex component or
  an unknown message type would pass. Here a ``discriminator`` keyword picks the mapped schema
  by the instance's ``type`` and validates the instance against it; an unmapped or missing
  ``type`` is refused. The subtypes inherit the base through ``allOf: [$ref base]``, which
  would dispatch again (``TextMessage`` → ``Message`` → ``TextMessage`` …): those ``allOf``
  references point at a copy of the base without its discriminator. A subtype referenced
  directly (a carousel's ``contents`` are ``FlexBubble``; a text's are ``FlexSpan``) must carry
  the ``type`` its base maps to it, so a box among a carousel's bubbles is refused too.
- ``nullable: true`` lets ``null`` through the ``type`` check.
- ``format`` is not checked (``int32``, ``uri``…: LINE's own checks are not documented there).

LINE documents some limits only in prose (developers.line.biz/en/reference/messaging-api/), not
in the schemas; ``LIMITS`` adds them (each path is checked to exist, so a new spec that moves a
property fails loudly instead of silently dropping the limit).
"""
from __future__ import annotations

import copy
import functools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "specs" / "line-openapi" / "messaging-api.yml"
API_HOST = "https://api.line.me"
DATA_HOST = "https://api-data.line.me"
_REF = "#/components/schemas/"

# LINE's documented limits the schemas leave out: (schema, path inside it, keyword, value).
# Text lengths are counted as LINE counts them, in UTF-16 code units.
LIMITS = [
    ("TextMessage", ("allOf", 1, "properties", "text"), "maxUtf16Length", 5000),
    ("FlexMessage", ("allOf", 1, "properties", "altText"), "maxUtf16Length", 400),
    ("FlexCarousel", ("allOf", 1, "properties", "contents"), "maxItems", 12),
    ("FlexCarousel", ("allOf", 1, "properties", "contents"), "minItems", 1),
    ("Action", ("properties", "label"), "maxUtf16Length", 20),
    ("MessageAction", ("allOf", 1, "properties", "text"), "maxUtf16Length", 300),
    ("PostbackAction", ("allOf", 1, "properties", "displayText"), "maxUtf16Length", 300),
]


class Operation:
    def __init__(self, method: str, template: str, host: str, op: dict):
        self.method, self.template, self.host = method.upper(), template, host
        self.operation_id = op.get("operationId")
        content = (op.get("requestBody") or {}).get("content") or {}
        self.content_types = list(content)
        self.body_schema = (content.get("application/json") or {}).get("schema")
        self.regex = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")

    def __repr__(self) -> str:
        return f"<{self.method} {self.host}{self.template} ({self.operation_id})>"


class Spec:
    """The Messaging API's operations and a validator of their JSON bodies."""

    def __init__(self, path: Path = SPEC):
        import yaml
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        with open(path, encoding="utf-8") as f:
            doc = yaml.load(f, Loader=loader)
        root_host = (doc.get("servers") or [{"url": API_HOST}])[0]["url"]
        self.operations: list[Operation] = []
        for template, item in doc["paths"].items():
            path_servers = item.get("servers")
            for method, op in item.items():
                if method not in ("get", "post", "put", "delete", "patch"):
                    continue
                servers = op.get("servers") or path_servers or [{"url": root_host}]
                self.operations.append(Operation(method, template, servers[0]["url"], op))
        self.schemas = translate(doc["components"]["schemas"])
        self._validator = _validator_class()({"components": {"schemas": self.schemas}})

    def operation(self, method: str, path: str) -> Operation | None:
        """The operation a request names (``path`` without its query string), on any host."""
        path = path.split("?", 1)[0]
        exact = [o for o in self.operations if o.method == method.upper() and o.regex.match(path)]
        # a literal segment beats a template (``/richmenu/list`` before ``/richmenu/{id}``)
        exact.sort(key=lambda o: o.template.count("{"))
        return exact[0] if exact else None

    def errors(self, schema: dict, instance) -> list[tuple[str, str]]:
        """Every way ``instance`` breaks ``schema`` (a spec schema or ``$ref`` into it), as
        (property, message) pairs like the ``details`` of LINE's 400; [] when valid."""
        found = self._validator.evolve(schema={"components": {"schemas": self.schemas},
                                               **schema}).iter_errors(instance)
        return sorted({(_where(e.absolute_path), _message(e)) for e in _leaves(found)},
                      key=lambda pm: ([int(x) if x.isdigit() else x
                                       for x in re.split(r"(\d+)", pm[0])], pm[1]))

    def body_errors(self, op: Operation, body) -> list[tuple[str, str]]:
        if op.body_schema is None:
            return []
        return self.errors(op.body_schema, body)


def _where(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(body)"


def _message(e) -> str:
    if e.validator in ("maxItems", "minItems") and isinstance(e.instance, list):
        most = "at most" if e.validator == "maxItems" else "at least"
        return f"{len(e.instance)} items; {most} {e.validator_value}"
    m = e.message
    return m if len(m) <= 200 else m[:180] + " … " + m[-16:]


def _leaves(errors):
    """The innermost errors (a discriminator or allOf failure says only 'see below')."""
    for e in errors:
        if e.context:
            yield from _leaves(e.context)
        else:
            yield e


def translate(schemas: dict) -> dict:
    """The spec's component schemas as JSON Schema with the ``discriminator`` / ``nullable``
    keywords understood by ``_validator_class`` and LINE's prose limits added."""
    schemas = copy.deepcopy(schemas)
    with_disc = {name for name, s in schemas.items() if isinstance(s, dict) and "discriminator" in s}
    for name in with_disc:
        # the base without dispatch, for the subtypes' allOf; the name itself only dispatches
        # (every mapped subtype includes the base through allOf, so it is checked once)
        base = dict(schemas[name])
        schemas[name] = {"type": "object", "discriminator": base.pop("discriminator")}
        schemas[f"{name}__base"] = base

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("allOf"), list):
                for part in node["allOf"]:
                    ref = part.get("$ref", "") if isinstance(part, dict) else ""
                    if ref.startswith(_REF) and ref[len(_REF):] in with_disc:
                        part["$ref"] = ref + "__base"
            if isinstance(node.get("oneOf"), dict):   # a few demographic filters spell
                node["oneOf"] = [node["oneOf"]]        # oneOf as one schema, not a list
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(schemas)
    # a subtype met without its base's dispatch (a carousel's bubbles, a text's spans) still
    # names itself: its discriminator value must be the one its base maps to it
    names: dict[str, dict[str, list[str]]] = {}
    for name in with_disc:
        disc = schemas[name]["discriminator"]
        for value, ref in (disc.get("mapping") or {}).items():
            names.setdefault(ref[len(_REF):], {}).setdefault(disc["propertyName"], []).append(value)
    for target, props in names.items():
        schema = schemas[target]
        schema["allOf"] = list(schema.get("allOf") or []) + [
            {"properties": {prop: {"enum": values}}} for prop, values in props.items()]
    for name, path, keyword, value in LIMITS:
        node = schemas[f"{name}__base" if name in with_disc else name]
        for step in path:
            node = node[step]      # KeyError/IndexError: the spec moved it; update LIMITS
        node[keyword] = value
    return schemas


@functools.lru_cache(maxsize=1)
def _validator_class():
    from jsonschema import Draft4Validator, ValidationError, validators
    type_keyword = Draft4Validator.VALIDATORS["type"]

    def discriminator(validator, disc, instance, schema):
        if not validator.is_type(instance, "object"):
            return
        prop = disc["propertyName"]
        value = instance.get(prop)
        target = (disc.get("mapping") or {}).get(value) if isinstance(value, str) else None
        if target is None:
            known = ", ".join(sorted(disc.get("mapping") or {}))
            yield ValidationError(f"{prop} {value!r} is not one of LINE's: {known}",
                                  path=[prop] if prop in instance else [])
            return
        yield from validator.descend(instance, {"$ref": target})

    def nullable_type(validator, types, instance, schema):
        if instance is None and schema.get("nullable"):
            return
        yield from type_keyword(validator, types, instance, schema)

    def max_utf16(validator, limit, instance, schema):
        if isinstance(instance, str) and len(instance.encode("utf-16-le")) // 2 > limit:
            yield ValidationError(f"{instance[:40]!r}… is longer than {limit} characters")

    return validators.extend(Draft4Validator, {"discriminator": discriminator,
                                               "type": nullable_type,
                                               "maxUtf16Length": max_utf16})


@functools.lru_cache(maxsize=None)
def load(path: Path = SPEC) -> Spec:
    """The spec, read once per process."""
    return Spec(path)
