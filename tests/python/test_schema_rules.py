"""Every tool's input schema under Python's `jsonschema` (an independent validator): valid
JSON Schema 2020-12, portable to strict function-calling clients (no type arrays, no boolean
sub-schemas, only standard formats, `$schema` on all or none), and satisfiable by a call that
fills only the required fields."""

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from mcp import ClientSession

from conftest import stdio_server

pytestmark = pytest.mark.anyio

STANDARD_FORMATS = {
    "date-time", "date", "time", "duration", "email", "idn-email", "hostname", "idn-hostname",
    "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid", "uri-template",
    "json-pointer", "relative-json-pointer", "regex",
}

SAMPLES = {"string": "x", "integer": 1, "number": 1, "boolean": True, "object": {}, "array": []}


def problems(path, schema):
    """Yields what a strict client would refuse in `schema` and its sub-schemas."""
    if isinstance(schema, bool):
        if not path.endswith("/additionalProperties"):
            yield f"{path}: boolean sub-schema"
        return
    if isinstance(schema.get("type"), list):
        yield f"{path}: type array {schema['type']}"
    if "format" in schema and schema["format"] not in STANDARD_FORMATS:
        yield f"{path}: non-standard format {schema['format']}"
    for key in ("properties", "$defs", "patternProperties"):
        for name, child in (schema.get(key) or {}).items():
            yield from problems(f"{path}/{key}/{name}", child)
    for key in ("items", "additionalProperties", "not", "contains"):
        if key in schema:
            yield from problems(f"{path}/{key}", schema[key])
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for index, child in enumerate(schema.get(key) or []):
            yield from problems(f"{path}/{key}/{index}", child)


async def test_every_input_schema_is_strict_and_portable(env):
    async with stdio_server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        tools = (await session.list_tools()).tools

    assert len(tools) > 40
    with_dollar_schema = {tool.name for tool in tools if "$schema" in tool.input_schema}
    assert with_dollar_schema in (set(), {tool.name for tool in tools}), "$schema on some tools only"
    found = []
    for tool in tools:
        schema = tool.input_schema
        Draft202012Validator.check_schema(schema)
        found.extend(f"{tool.name}{problem}" for problem in problems("", schema))
        # A call that fills only the required fields, with values of the declared types, fits.
        required_only = {
            name: SAMPLES[schema["properties"][name].get("type", "string")]
            for name in schema.get("required", [])
        }
        errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(required_only))
        assert not errors, (tool.name, [e.message for e in errors])
    assert not found, "\n".join(found)
