"""The official Python MCP SDK and plain HTTP against `imprint serve --http 127.0.0.1:0`.

An independent client of the HTTP surface: the SDK's Streamable HTTP transport (both
the initialize handshake and the 2026-07-28 per-request lifecycle), REST with and
without tokens, a token minted by the CLI used against the running server, 403 on a
foreign Origin, 409 on a stale If-Match, and one draft seen over REST, MCP over HTTP
and a stdio server on the same data directory.
"""

import json
import subprocess

import httpx2
import pytest
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from conftest import BIN

pytestmark = pytest.mark.anyio


@pytest.fixture
def server(env):
    """A running HTTP server; yields its base URL. Reads the line it prints, never sleeps."""
    process = subprocess.Popen(
        [BIN, "serve", "--http", "127.0.0.1:0"],
        env={**env, "IMPRINT_LOG": "error"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline().strip()
        second = process.stdout.readline().strip()
        assert first.startswith("listening on http://"), first
        assert second.startswith("control panel: "), second
        yield first.removeprefix("listening on ")
    finally:
        process.terminate()
        assert process.wait(timeout=15) == 0


@pytest.fixture
def token(env):
    """Mints a token with the CLI (another process than the server): the secret alone on stdout."""

    def mint(name):
        done = subprocess.run([BIN, "token", "create", "--name", name, "--role", "admin"], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    return mint


def text_of(result):
    return "".join(block.text for block in result.content if getattr(block, "text", None) is not None)


def authed(secret):
    return httpx2.AsyncClient(headers={"Authorization": f"Bearer {secret}"}, timeout=30)


async def test_sdk_session_over_streamable_http(server, token):
    secret = token("python-sdk")
    async with authed(secret) as http, streamable_http_client(f"{server}/mcp", http_client=http) as (read, write):
        async with ClientSession(read, write) as session:
            result = await session.initialize()
            assert result.server_info.name == "imprint"
            tools = {tool.name for tool in (await session.list_tools()).tools}
            assert {"add_server_to_config", "publish_config", "view_draft_config"} <= tools
            added = await session.call_tool("add_server_to_config", {"server_id": "memory"})
            assert not added.is_error, text_of(added)
            published = await session.call_tool("publish_config", {"changelog": "from python"})
            assert not published.is_error, text_of(published)
            history = json.loads(text_of(await session.call_tool("get_config_history", {})))
            assert history["revisions"][0]["author"] == "python-sdk"
            failed = await session.call_tool("describe_server", {"server_id": "no-such-server"})
            assert failed.is_error
            assert "unknown server" in json.loads(text_of(failed))["error"]["message"]


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_high_level_client_both_lifecycles(server, token, mode):
    secret = token(f"client-{mode}")
    async with authed(secret) as http:
        transport = streamable_http_client(f"{server}/mcp", http_client=http)
        async with Client(transport, mode=mode) as client:
            result = await client.call_tool("list_available_servers", {"search_query": "github"})
            assert not result.is_error
            assert [s["server_id"] for s in json.loads(text_of(result))["servers"]] == ["github"]


async def test_rest_with_and_without_a_token(server, token):
    async with httpx2.AsyncClient(timeout=30) as http:
        anonymous = await http.get(f"{server}/v1/clients")
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"].startswith("Bearer")
        assert anonymous.json()["error"]["code"] == "unauthorized"

        secret = token("rest")
        clients = await http.get(f"{server}/v1/clients", headers={"Authorization": f"Bearer {secret}"})
        assert clients.status_code == 200
        assert any(c["client_id"] == "cursor" for c in clients.json()["clients"])
        by_key = await http.get(f"{server}/v1/servers/memory", headers={"X-API-Key": secret})
        assert by_key.status_code == 200
        assert by_key.json()["server_id"] == "memory"


async def test_foreign_origin_on_mcp_is_forbidden(server, token):
    secret = token("origin")
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {
        "Authorization": f"Bearer {secret}",
        "Accept": "application/json, text/event-stream",
        "Origin": "http://attacker.example",
    }
    async with httpx2.AsyncClient(timeout=30) as http:
        refused = await http.post(f"{server}/mcp", json=body, headers=headers)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
        headers["Origin"] = server
        allowed = await http.post(f"{server}/mcp", json=body, headers=headers)
        assert allowed.status_code == 200


async def test_stale_if_match_is_a_conflict(server, token, cli):
    secret = token("etag")
    draft = f"{server}/v1/config/cursor/default/draft"
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {secret}"}, timeout=30) as http:
        added = await http.post(f"{draft}/add", json={"server_id": "memory"})
        etag = added.headers["etag"]
        code, _, stderr = cli("draft", "add", "time", "--client", "cursor")
        assert code == 0, stderr
        stale = await http.post(f"{draft}/remove", json={"server_name": "memory"}, headers={"If-Match": etag})
        assert stale.status_code == 409
        assert stale.json()["error"]["details"]["current_version"] > int(etag.strip('"'))
        fresh = (await http.get(draft)).headers["etag"]
        removed = await http.post(f"{draft}/remove", json={"server_name": "memory"}, headers={"If-Match": fresh})
        assert removed.status_code == 200, removed.text


async def test_one_draft_over_rest_mcp_http_and_stdio(server, token, env):
    secret = token("shared")
    async with authed(secret) as http:
        added = await http.post(f"{server}/v1/config/claude-code/default/draft/add", json={"server_id": "memory"})
        assert added.status_code == 200, added.text
        async with streamable_http_client(f"{server}/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                viewed = await session.call_tool("view_draft_config", {"client_id": "claude-code"})
                assert json.loads(text_of(viewed))["server_names"] == ["memory"]
                await session.call_tool("add_server_to_config", {"client_id": "claude-code", "server_id": "time"})

    # A stdio server on the same data directory, while the HTTP server runs.
    params = StdioServerParameters(command=BIN, args=["serve"], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        viewed = await session.call_tool("view_draft_config", {"client_id": "claude-code"})
        assert json.loads(text_of(viewed))["server_names"] == ["memory", "time"]
        removed = await session.call_tool("remove_server_from_config", {"client_id": "claude-code", "server_name": "memory"})
        assert not removed.is_error

    async with authed(secret) as http:
        draft = await http.get(f"{server}/v1/config/claude-code/default/draft")
        assert draft.json()["server_names"] == ["time"]
