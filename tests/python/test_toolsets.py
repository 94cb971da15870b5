"""Toolsets (issue 9, section 3): `--toolsets` and IMPRINT_TOOLSETS, over stdio and HTTP."""

import json
import subprocess

from conftest import BIN
from raw import HttpServer, Stdio, post

ADMIN = {"initialize_keys", "set_secret", "list_secrets", "remove_secret"}


def tool_names(answer):
    return {tool["name"] for tool in answer["result"]["tools"]}


def capabilities(server):
    answer = server.call(
        {"jsonrpc": "2.0", "id": 3, "method": "resources/read", "params": {"uri": "capabilities://server"}}
    )
    return json.loads(answer["result"]["contents"][0]["text"])


def test_every_tool_is_in_exactly_one_set(env):
    sets = {}
    for name in ("config", "content", "admin", "all"):
        server = Stdio(env, "--toolsets", name)
        server.start()
        sets[name] = tool_names(server.call({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
        server.close()
    assert sets["admin"] == ADMIN
    assert "add_server_to_config" in sets["config"] and "get_sites" in sets["content"]
    assert not (sets["config"] & sets["content"]) and not (sets["config"] & sets["admin"])
    assert not (sets["content"] & sets["admin"])
    assert sets["config"] | sets["content"] | sets["admin"] == sets["all"]


def test_a_config_only_server_refuses_other_tools_naming_the_set(env):
    server = Stdio({**env, "IMPRINT_TOOLSETS": "config"})
    server.start()
    names = tool_names(server.call({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}))
    assert "list_clients" in names and "get_sites" not in names and "set_secret" not in names
    assert capabilities(server)["toolsets"] == ["config"]
    assert set(capabilities(server)["tools"]) == names
    answer = server.call(
        {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "set_secret", "arguments": {}}}
    )
    message = answer["error"]["message"]
    assert "'admin' toolset" in message and "--toolsets config,admin" in message, message
    ok = server.call(
        {"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "list_clients", "arguments": {}}}
    )
    assert ok["result"].get("isError") is not True
    server.close()


def test_http_serves_the_selection(env):
    server = HttpServer({**env, "IMPRINT_TOOLSETS": "content"})
    try:
        _, _, answer = post(server.url, {"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        names = tool_names(answer)
        assert "get_sites" in names and "list_clients" not in names
        _, _, answer = post(
            server.url,
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "list_clients", "arguments": {}}},
        )
        assert "'config' toolset" in answer["error"]["message"]
    finally:
        server.close()


def test_an_unknown_toolset_is_a_startup_error_listing_the_valid_ones(env):
    done = subprocess.run(
        [BIN, "serve", "--toolsets", "config,secrets"], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert "unknown toolset 'secrets'" in done.stderr and "config, content and admin" in done.stderr, done.stderr
    done = subprocess.run(
        [BIN, "serve"], env={**env, "IMPRINT_TOOLSETS": "nope"}, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2 and "unknown toolset 'nope'" in done.stderr
