"""The official Python MCP SDK client drives the content tools of `imprint serve`.

A second, independent client for the Craft-compatible tools (camelCase arguments), and
an independent check that entry revisions are tamper-evident: the revision envelope is
verified with the `rfc8785` package and `cryptography`, not Imprint's own code.
"""

import base64
import hashlib
import json
import pathlib

import pytest
import rfc8785
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from mcp import ClientSession

from conftest import BIN, Imprint, stdio_server

pytestmark = pytest.mark.anyio


server = stdio_server



async def blog(imprint):
    body = await imprint.ok("create_field", type="craft\\fields\\PlainText", name="Body")
    entry_type = await imprint.ok("create_entry_type", name="Post")
    await imprint.ok(
        "update_field_layout",
        fieldLayoutId=entry_type["fieldLayoutId"],
        tabs=[{"name": "Content", "elements": [{"type": "title"}, {"type": "CustomField", "fieldId": body["fieldId"]}]}],
    )
    section = await imprint.ok("create_section", name="Blog", type="channel", entryTypeIds=[entry_type["entryTypeId"]])
    return section["sectionId"], entry_type["entryTypeId"]


async def test_draft_workflow_with_craft_arguments(env):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        imprint = Imprint(session)
        sites = await imprint.ok("get_sites")
        assert sites[0]["primary"] is True  # a bare JSON array, as the Craft plugin answered
        section_id, entry_type_id = await blog(imprint)
        draft = await imprint.ok(
            "create_draft",
            sectionId=section_id,
            entryTypeId=entry_type_id,
            draftName="First post",
            attributeAndFieldData={"title": "Hello from Python", "body": "hi"},
        )
        assert draft["url"].endswith(f"/cp/entries/new?draftId={draft['draftId']}")
        found = await imprint.ok("search_content", query="python")
        assert found["results"] == [], "a draft from scratch is not live"
        await imprint.ok("update_draft", draftId=draft["draftId"], attributeAndFieldData={"body": "hello"})
        applied = await imprint.ok("apply_draft", draftId=draft["draftId"])
        entry = await imprint.ok("get_entry", entryId=applied["entryId"])
        assert entry["title"] == "Hello from Python"
        assert entry["body"] == "hello"
        found = await imprint.ok("search_content", query="python")
        assert [r["entryId"] for r in found["results"]] == [applied["entryId"]]
        message = await imprint.err("update_draft", draftId=applied["entryId"], attributeAndFieldData={"title": "x"})
        assert "use update_entry" in message
        message = await imprint.err("create_draft", canonicalId=applied["entryId"], siteId=42)
        assert message == "siteId 42 does not exist: get_sites lists the sites"


async def test_entry_revisions_verify_independently(env):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        imprint = Imprint(session)
        section_id, _ = await blog(imprint)
        created = await imprint.ok("create_entry", sectionId=section_id, attributeAndFieldData={"title": "Signed", "body": "v1"})
        await imprint.ok("update_entry", entryId=created["entryId"], attributeAndFieldData={"body": "v2"})
        revision = await imprint.ok("get_revision", entryId=created["entryId"], revision=1)
    envelope = revision["envelope"]
    assert revision["content"]["body"] == "v1"
    assert hashlib.sha256(rfc8785.dumps(envelope["payload"])).hexdigest() == envelope["artifact_id"]
    public_key = load_pem_public_key((pathlib.Path(env["IMPRINT_HOME"]) / "keys" / "signing.pub").read_bytes())
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    public_key.verify(base64.b64decode(envelope["signature"]), rfc8785.dumps(unsigned))
    unsigned["payload"]["content"]["title"] = "Forged"
    with pytest.raises(Exception):
        public_key.verify(base64.b64decode(envelope["signature"]), rfc8785.dumps(unsigned))
