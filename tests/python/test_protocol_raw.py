"""Raw JSON-RPC over stdio: protocol version negotiation, exactly as clients send it."""

import json
import subprocess

import pytest

from conftest import BIN


def handshake(env, version):
    process = subprocess.Popen(
        [BIN, "serve"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    request = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    process.stdin.write(json.dumps(request) + "\n")
    process.stdin.flush()
    line = process.stdout.readline()
    process.stdin.close()
    process.wait(timeout=10)
    stderr = process.stderr.read()
    return json.loads(line), stderr


@pytest.mark.parametrize("version", ["2025-06-18", "2025-11-25", "2025-03-26"])
def test_negotiates_the_clients_version(env, version):
    response, _ = handshake(env, version)
    assert response["result"]["protocolVersion"] == version
    assert response["result"]["serverInfo"]["name"] == "imprint"


def test_stdout_carries_only_protocol(env):
    response, stderr = handshake(env, "2025-06-18")
    assert response["id"] == 1  # the first stdout line is the response, no log noise
