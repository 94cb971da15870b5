"""The Python MCP SDK 1.x client: one workflow over stdio and over Streamable HTTP.

Run with its own venv (scripts/test makes .venv-sdk1): IMPRINT_BIN names the binary.
"""

import json
import os
import pathlib
import subprocess

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("IMPRINT_BIN", str(ROOT / "target" / "debug" / "imprint"))

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def env(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return {"HOME": str(home), "IMPRINT_HOME": str(tmp_path / "data"), "PATH": os.environ.get("PATH", ""), "IMPRINT_LOG": "error"}


def text_of(result):
    return "".join(block.text for block in result.content if getattr(block, "text", None) is not None)


async def workflow(session, label):
    result = await session.initialize()
    assert result.serverInfo.name == "imprint"
    names = {tool.name for tool in (await session.list_tools()).tools}
    assert {"add_server_to_config", "view_draft_config", "publish_config", "get_config"} <= names
    added = await session.call_tool("add_server_to_config", {"server_id": "memory"})
    assert not added.isError, text_of(added)
    draft = await session.call_tool("view_draft_config", {})
    assert "memory" in text_of(draft)
    published = await session.call_tool("publish_config", {"changelog": f"from sdk 1.x over {label}"})
    assert not published.isError, text_of(published)
    latest = json.loads(text_of(await session.call_tool("get_config", {})))
    assert len(latest["artifact_id"]) == 64
    failed = await session.call_tool("describe_server", {"server_id": "no-such-server"})
    assert failed.isError
    assert "no-such-server" in json.loads(text_of(failed))["error"]["message"]


async def test_stdio(env):
    params = StdioServerParameters(command=BIN, args=["serve"], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await workflow(session, "stdio")


async def test_streamable_http(env):
    process = subprocess.Popen(
        [BIN, "serve", "--http", "127.0.0.1:0", "--no-auth"], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("listening on http://"), first
        url = first.removeprefix("listening on ") + "/mcp"
        async with streamable_http_client(url) as (read, write, _), ClientSession(read, write) as session:
            await workflow(session, "Streamable HTTP")
    finally:
        process.terminate()
        process.wait(timeout=20)
