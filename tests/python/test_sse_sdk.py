"""The official Python MCP SDK's HTTP+SSE client (`mcp.client.sse`) against
`imprint serve --http`: the older transport (GET /sse, POST /message) the Craft CMS MCP
plugin served, with the same token auth and Origin checks as /mcp.
"""

import json

import httpx2
import pytest
from mcp import ClientSession
from mcp.client.sse import sse_client

from test_http_sdk import server, token, text_of  # noqa: F401  (fixtures)

pytestmark = pytest.mark.anyio


async def test_sdk_session_over_sse(server, token):  # noqa: F811
    secret = token("sse-client")
    headers = {"Authorization": f"Bearer {secret}"}
    async with sse_client(f"{server}/sse", headers=headers) as (read, write):
        async with ClientSession(read, write) as session:
            result = await session.initialize()
            assert result.server_info.name == "imprint"
            tools = {tool.name for tool in (await session.list_tools()).tools}
            assert {"get_sections", "create_entry", "add_server_to_config"} <= tools
            sites = json.loads(text_of(await session.call_tool("get_sites", {})))
            assert isinstance(sites, list) and sites[0]["id"] == 1
            made = await session.call_tool("create_entry_type", {"name": "Article"})
            assert not made.is_error, text_of(made)
            article = json.loads(text_of(made))
            section = await session.call_tool(
                "create_section",
                {"name": "News", "entryTypeIds": [article["id"]], "siteSettingsData": [{"siteId": 1, "uriFormat": "n/{slug}"}]},
            )
            assert not section.is_error, text_of(section)
            assert json.loads(text_of(section))["siteSettings"][0]["uriFormat"] == "n/{slug}"
            entry = json.loads(
                text_of(
                    await session.call_tool(
                        "create_entry",
                        {"sectionId": json.loads(text_of(section))["id"], "attributeAndFieldData": {"title": "Over SSE"}},
                    )
                )
            )
            assert entry["author"] == "sse-client"
            refused = await session.call_tool("get_sites", {"bogus": 1})
            assert refused.is_error and "bogus" in text_of(refused)


async def test_sse_auth_origin_and_sessions(server, token):  # noqa: F811
    async with httpx2.AsyncClient(timeout=30) as http:
        anonymous = await http.get(f"{server}/sse")
        assert anonymous.status_code == 401
        secret = token("sse-a")
        foreign = await http.get(f"{server}/sse", headers={"Authorization": f"Bearer {secret}", "Origin": "http://attacker.example"})
        assert foreign.status_code == 403
        posted = await http.post(
            f"{server}/message?sessionId=nope",
            json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert posted.status_code == 404
        assert "GET /sse" in posted.json()["error"]["message"]
        # A session belongs to whoever opened it: another token cannot post to it.
        async with http.stream("GET", f"{server}/sse", headers={"Authorization": f"Bearer {secret}"}) as stream:
            assert stream.status_code == 200
            # Read by hand: leaving an `async for` would close the stream, and the session.
            lines = stream.aiter_lines()
            endpoint = None
            while endpoint is None:
                line = await lines.__anext__()
                if line.startswith("data: "):
                    endpoint = line.removeprefix("data: ")
            assert endpoint and endpoint.startswith("/message?sessionId=")
            other = token("sse-b")
            stolen = await http.post(
                f"{server}{endpoint}",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": f"Bearer {other}"},
            )
            assert stolen.status_code == 404
            not_json = await http.post(f"{server}{endpoint}", content=b"{", headers={"Authorization": f"Bearer {secret}"})
            assert not_json.status_code == 400
            accepted = await http.post(
                f"{server}{endpoint}",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": f"Bearer {secret}"},
            )
            assert accepted.status_code == 202
