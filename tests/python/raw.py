"""Raw JSON-RPC against the real binary, over stdio and HTTP: frames exactly as written."""

import json
import select
import subprocess
import urllib.error
import urllib.request

from conftest import BIN

INIT_ID = 0


def initialize(version):
    return {
        "jsonrpc": "2.0",
        "id": INIT_ID,
        "method": "initialize",
        "params": {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }


class Stdio:
    """`imprint serve` over pipes; `send` writes one line, `recv` reads one answer (or None)."""

    def __init__(self, env, *args):
        self.process = subprocess.Popen(
            [BIN, "serve", *args], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
        )

    def send(self, frame):
        text = frame if isinstance(frame, str) else json.dumps(frame)
        self.process.stdin.write(text.encode() + b"\n")

    def recv(self, timeout=20):
        line = b""
        while not line.endswith(b"\n"):
            ready, _, _ = select.select([self.process.stdout], [], [], timeout)
            if not ready:
                return None
            byte = self.process.stdout.read(1)
            if not byte:
                return None
            line += byte
        return json.loads(line)

    def start(self, version="2025-03-26"):
        self.send(initialize(version))
        answer = self.recv()
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return answer

    def call(self, frame):
        self.send(frame)
        return self.recv()

    def close(self):
        """Ends the session; returns what the server wrote on stderr."""
        self.process.stdin.close()
        self.process.wait(timeout=20)
        return self.process.stderr.read().decode()


def post(url, body, headers=None):
    """POSTs raw bytes to /mcp; returns (status, content type, parsed body or text)."""
    data = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    for name, value in {**base, **(headers or {})}.items():
        if value is not None:
            request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, content_type, text = response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        status, content_type, text = error.code, error.headers.get("Content-Type", ""), error.read()
    try:
        return status, content_type, json.loads(text)
    except ValueError:
        return status, content_type, text.decode(errors="replace")


class HttpServer:
    """`imprint serve --http 127.0.0.1:0 --no-auth`; reads the printed address, never sleeps."""

    def __init__(self, env, *args):
        self.process = subprocess.Popen(
            [BIN, "serve", "--http", "127.0.0.1:0", "--no-auth", *args],
            env={**env, "IMPRINT_LOG": "error"},
            stdout=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline().strip()
        assert first.startswith("listening on http://"), first
        self.url = first.removeprefix("listening on ") + "/mcp"

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=20)
