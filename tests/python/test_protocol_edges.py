"""Protocol edges (issue 9, section 4) as raw JSON-RPC, over stdio and Streamable HTTP.

Every frame a client can send gets a JSON-RPC answer: -32700 for what is not JSON (too
deep included), -32600 with "id" for what is not a request, -32602 for a malformed
tools/call; batches on sessions at 2025-03-26 or earlier; a later initialize renegotiates.
"""

import json
import socket
import urllib.parse

import pytest

from raw import INIT_ID, HttpServer, Stdio, initialize, post

DEEP = "[" * 5000
PING = {"jsonrpc": "2.0", "id": 9, "method": "ping"}


@pytest.fixture
def stdio(env):
    server = Stdio(env)
    yield server
    server.close()


@pytest.fixture
def http(env):
    server = HttpServer(env)
    yield server
    server.close()


def assert_error(answer, code, id=None):
    assert "id" in answer and answer["id"] == id, answer
    assert answer["error"]["code"] == code, answer
    assert answer["error"]["message"], answer


# --- stdio -----------------------------------------------------------------------------


@pytest.mark.parametrize("frame", ["not json", '{"jsonrpc": "2.0", "id": 1', DEEP])
def test_stdio_parse_errors_are_answered(stdio, frame):
    stdio.start()
    assert_error(stdio.call(frame), -32700)
    assert stdio.call(PING) == {"jsonrpc": "2.0", "id": 9, "result": {}}, "the session survives"


def test_stdio_a_frame_over_4_mib_is_refused_and_skipped(stdio):
    stdio.start()
    huge = {"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"x": "x" * (5 * 1024 * 1024)}}
    assert_error(stdio.call(huge), -32600)
    assert stdio.call(PING) == {"jsonrpc": "2.0", "id": 9, "result": {}}


def test_stdio_invalid_requests_carry_an_id(stdio):
    stdio.start()
    assert_error(stdio.call({"jsonrpc": "2.0", "id": 4}), -32600, id=4)
    assert_error(stdio.call({"jsonrpc": "1.0", "method": "ping"}), -32600)
    assert_error(stdio.call("42"), -32600)


def test_stdio_tools_call_needs_params_and_object_arguments(stdio):
    stdio.start()
    assert_error(stdio.call({"jsonrpc": "2.0", "id": 5, "method": "tools/call"}), -32602, id=5)
    answer = stdio.call(
        {"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "list_clients", "arguments": [1]}}
    )
    assert_error(answer, -32602, id=6)
    assert "arguments" in answer["error"]["message"]


def test_stdio_batches_on_a_2025_03_26_session(stdio):
    assert stdio.start("2025-03-26")["result"]["protocolVersion"] == "2025-03-26"
    answers = stdio.call(
        [
            {"jsonrpc": "2.0", "id": "a", "method": "ping"},
            {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": 1, "progress": 1}},
            {"jsonrpc": "2.0", "id": "b", "method": "tools/list"},
            {"jsonrpc": "2.0", "id": "c"},
        ]
    )
    assert isinstance(answers, list), answers
    by_id = {answer["id"]: answer for answer in answers}
    assert set(by_id) == {"a", "b", "c"}
    assert by_id["a"]["result"] == {}
    assert any(tool["name"] == "list_clients" for tool in by_id["b"]["result"]["tools"])
    assert_error(by_id["c"], -32600, id="c")


def test_stdio_batches_are_refused_on_newer_sessions(stdio):
    stdio.start("2025-06-18")
    assert_error(stdio.call([PING]), -32600)


def test_stdio_a_later_initialize_renegotiates(stdio):
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    first = stdio.call({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}})
    assert first["result"]["tools"]
    answer = stdio.start("2025-06-18")
    assert answer["id"] == INIT_ID and answer["result"]["protocolVersion"] == "2025-06-18"
    assert stdio.call(PING) == {"jsonrpc": "2.0", "id": 9, "result": {}}


def test_stdio_capabilities_declare_what_is_served(stdio):
    capabilities = stdio.start("2025-06-18")["result"]["capabilities"]
    assert set(capabilities) == {"tools", "resources"}
    assert_error(stdio.call({"jsonrpc": "2.0", "id": 2, "method": "prompts/list"}), -32601, id=2)
    completion = {"jsonrpc": "2.0", "id": 3, "method": "completion/complete", "params": {}}
    assert_error(stdio.call(completion), -32601, id=3)


def test_stdio_wrong_argument_type_is_a_tool_error_naming_it(stdio):
    stdio.start()
    answer = stdio.call(
        {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "list_profiles", "arguments": {"client_id": 5}}}
    )
    result = answer["result"]
    assert result["isError"] is True
    error = json.loads(result["content"][0]["text"])["error"]
    assert error["code"] == "invalid_input"
    assert "client_id" in error["message"] and "string" in error["message"], error


def test_stderr_has_no_colour_when_it_is_not_a_terminal(env):
    server = Stdio({**env, "IMPRINT_LOG": "info"})
    server.start()
    server.call({"jsonrpc": "2.0", "id": 2, "method": "prompts/list"})
    stderr = server.close()
    assert stderr.strip(), "some log line was expected"
    assert "\x1b[" not in stderr, stderr[:300]


# --- Streamable HTTP -------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"not json", DEEP.encode()])
def test_http_parse_errors_are_json_rpc(http, body):
    status, content_type, answer = post(http.url, body)
    assert status == 400 and content_type.startswith("application/json"), (status, answer)
    assert_error(answer, -32700)


def test_http_wrong_content_type_is_json_rpc(http):
    status, content_type, answer = post(http.url, PING, {"Content-Type": "text/plain"})
    assert status == 415 and content_type.startswith("application/json")
    assert_error(answer, -32600)


def test_http_too_large_is_json_rpc(http):
    # The server answers as soon as it reads the declared length, so the body is not sent
    # (a client writing all of it would meet a closed connection).
    url = urllib.parse.urlsplit(http.url)
    with socket.create_connection((url.hostname, url.port), timeout=30) as connection:
        connection.sendall(
            (
                f"POST {url.path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
                f"Accept: application/json, text/event-stream\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        response = http_client_response(connection)
    assert response.status == 413
    assert response.getheader("Content-Type").startswith("application/json")
    assert_error(json.loads(response.read()), -32600)


def http_client_response(connection):
    import http.client

    response = http.client.HTTPResponse(connection)
    response.begin()
    return response


def test_http_invalid_request_and_tool_call_params(http):
    status, _, answer = post(http.url, {"jsonrpc": "2.0", "method": 5})
    assert status == 400
    assert_error(answer, -32600)
    _, _, answer = post(http.url, {"jsonrpc": "2.0", "id": 3, "method": "tools/call"})
    assert_error(answer, -32602, id=3)
    _, _, answer = post(
        http.url, {"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "list_clients", "arguments": "x"}}
    )
    assert_error(answer, -32602, id=4)


def test_http_batches_at_2025_03_26(http):
    batch = [{"jsonrpc": "2.0", "id": 1, "method": "ping"}, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}]
    for headers in ({}, {"MCP-Protocol-Version": "2025-03-26"}):
        status, _, answers = post(http.url, batch, headers)
        assert status == 200 and isinstance(answers, list), answers
        assert sorted(answer["id"] for answer in answers) == [1, 2]
    status, _, answer = post(http.url, batch, {"MCP-Protocol-Version": "2025-06-18"})
    assert status == 400
    assert_error(answer, -32600)


def test_http_initialize_still_works(http):
    status, _, answer = post(http.url, initialize("2025-06-18"))
    assert status == 200 and answer["result"]["protocolVersion"] == "2025-06-18"


def test_stdio_messages_before_the_lifecycle_is_done_lose_nothing(stdio):
    # Before initialize: a ping is answered, another request refused, a notification dropped.
    assert stdio.call(PING) == {"jsonrpc": "2.0", "id": 9, "result": {}}
    refused = stdio.call({"jsonrpc": "2.0", "id": 4, "method": "tools/list"})
    assert_error(refused, -32600, id=4)
    assert "initialize" in refused["error"]["message"]
    stdio.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {}})
    # Between the initialize answer and `initialized`: a stray notification and a ping
    # must not end the session (rmcp would) and take the next request with it.
    stdio.send(initialize("2025-06-18"))
    assert stdio.recv()["id"] == INIT_ID
    stdio.send({"jsonrpc": "2.0", "method": "ping"})
    assert stdio.call(PING) == {"jsonrpc": "2.0", "id": 9, "result": {}}
    stdio.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    tools = stdio.call({"jsonrpc": "2.0", "id": 5, "method": "tools/list"})
    assert tools["id"] == 5 and tools["result"]["tools"]
