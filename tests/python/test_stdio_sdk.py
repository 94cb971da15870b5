"""The official Python MCP SDK client drives `imprint serve` over stdio.

A second, independent client (the first is rmcp's, in the Rust tests), and an
independent check of the signature format: RFC 8785 via the `rfc8785` package and
Ed25519 via `cryptography`, not Imprint's own code.
"""

import base64
import json
import pathlib

import pytest
import rfc8785
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from mcp import ClientSession, StdioServerParameters

from conftest import BIN, Imprint, stdio_server

pytestmark = pytest.mark.anyio


server = stdio_server



async def test_tools_and_protocol(env):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        result = await session.initialize()
        assert result.server_info.name == "imprint"
        tools = (await session.list_tools()).tools
        names = {tool.name for tool in tools}
        assert {"add_server_to_config", "publish_config", "deploy_config", "get_config_history"} <= names
        for tool in tools:
            assert tool.output_schema is None, tool.name
            assert tool.input_schema["type"] == "object", tool.name


async def test_publish_and_verify_signature_independently(env):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        imprint = Imprint(session)
        await imprint.ok("add_server_to_config", server_id="memory")
        await imprint.ok("add_server_to_config", server_id="n8n")
        draft = await imprint.ok("view_draft_config")
        assert draft["server_names"] == ["memory", "n8n"]
        published = await imprint.ok("publish_config", changelog="from python")
        envelope = await imprint.ok("get_config")
        keys = await imprint.ok("initialize_keys")

    assert envelope["artifact_id"] == published["artifact_id"]
    # artifact_id = sha256(JCS(payload)), computed by an independent JCS implementation.
    import hashlib

    assert hashlib.sha256(rfc8785.dumps(envelope["payload"])).hexdigest() == envelope["artifact_id"]
    # The signature covers the JCS bytes of the envelope without its signature field.
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    public_key = load_pem_public_key(pathlib.Path(keys["public_key_path"]).read_bytes())
    public_key.verify(base64.b64decode(envelope["signature"]), rfc8785.dumps(unsigned))
    # Any change to a covered field breaks it.
    unsigned["metadata"]["changelog"] = "forged"
    with pytest.raises(Exception):
        public_key.verify(base64.b64decode(envelope["signature"]), rfc8785.dumps(unsigned))
    # n8n's port parameter default is applied.
    assert "5679" in json.dumps(envelope["payload"]["mcpServers"]["n8n"])


async def test_errors_are_tool_results(env):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        imprint = Imprint(session)
        message = await imprint.err("add_server_to_config", server_id="memory", profile_id="../../etc")
        assert "profile_id" in message
        message = await imprint.err("describe_server", server_id="nope")
        assert "list_available_servers" in message


async def test_drafts_persist_across_server_restarts_and_cli(env, cli):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        await Imprint(session).ok("add_server_to_config", server_id="memory", client_id="cursor")
    code, body, stderr = cli("draft", "show", "--client", "cursor")
    assert code == 0, stderr
    assert body["server_names"] == ["memory"]
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        draft = await Imprint(session).ok("view_draft_config", client_id="cursor")
        assert draft["server_names"] == ["memory"]


async def test_resources(env):
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        listed = {str(r.uri) for r in (await session.list_resources()).resources}
        assert {"capabilities://server", "capabilities://clients", "server://registry"} <= listed
        templates = {t.uri_template for t in (await session.list_resource_templates()).resource_templates}
        assert "config://{client_id}/{profile_id}/deployed" in templates
        result = await session.read_resource("server://filesystem")
        assert json.loads(result.contents[0].text)["server_id"] == "filesystem"


async def test_readme_openssl_recipe(env, tmp_path):
    """The README's verification recipe, run as written: JCS + `openssl pkeyutl -verify -rawin`."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    async with server(env) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        imprint = Imprint(session)
        await imprint.ok("add_server_to_config", server_id="fetch")
        await imprint.ok("publish_config", changelog="openssl")
        envelope = await imprint.ok("get_config")
        keys = await imprint.ok("initialize_keys")
    signature = tmp_path / "signature.bin"
    signed = tmp_path / "signed.bin"
    signature.write_bytes(base64.b64decode(envelope.pop("signature")))
    signed.write_bytes(rfc8785.dumps(envelope))
    done = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keys["public_key_path"], "-rawin",
         "-in", str(signed), "-sigfile", str(signature)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Signature Verified Successfully" in done.stdout
    envelope["created_at"] = "1999-01-01T00:00:00.000Z"
    signed.write_bytes(rfc8785.dumps(envelope))
    done = subprocess.run(
        ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", keys["public_key_path"], "-rawin",
         "-in", str(signed), "-sigfile", str(signature)],
        capture_output=True, text=True,
    )
    assert done.returncode != 0


@pytest.mark.parametrize(
    "mode, expected",
    [("legacy", "2025-11-25"), ("auto", "2026-07-28"), ("2026-07-28", "2026-07-28")],
)
async def test_newest_protocol_without_initialize(env, mode, expected):
    """The SDK's high-level Client: the initialize handshake and the 2026-07-28 per-request lifecycle."""
    from mcp import Client

    params = StdioServerParameters(command=BIN, args=["serve"], env=env)
    async with Client(params, mode=mode) as client:
        assert client.protocol_version == expected
        result = await client.call_tool("list_available_servers", {"search_query": "github"})
        assert not result.is_error
        body = json.loads(result.content[0].text)
        assert [s["server_id"] for s in body["servers"]] == ["github"]
