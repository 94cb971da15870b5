"""One MCP session over stdio with an installed Imprint: initialize, tools/list.

Usage: python3 mcp_smoke.py COMMAND [ARG...]   (e.g. imprint serve, npx -y imprint-mcp serve)

Speaks newline-delimited JSON-RPC on the pipe itself (the standard library only: the
environments under test have nothing else installed) and fails unless the server answers
initialize with its name and tools/list with Imprint's tools.
"""

import json
import subprocess
import sys
import threading


def main() -> None:
    command = sys.argv[1:]
    if not command:
        sys.exit("usage: mcp_smoke.py COMMAND [ARG...]")
    server = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    # A server that hangs must fail the check, not the CI run's time limit.
    timer = threading.Timer(60, server.kill)
    timer.start()
    try:
        def send(message: dict) -> None:
            server.stdin.write(json.dumps(message) + "\n")
            server.stdin.flush()

        def answer(request_id: int) -> dict:
            for line in server.stdout:
                message = json.loads(line)
                if message.get("id") == request_id:
                    if "error" in message:
                        sys.exit(f"{command}: request {request_id} failed: {message['error']}")
                    return message["result"]
            sys.exit(f"{command}: the server closed stdout before answering request {request_id}")

        send({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "imprint-packaging-check", "version": "1"},
            },
        })
        initialized = answer(1)
        name = initialized.get("serverInfo", {}).get("name", "")
        if "imprint" not in name:
            sys.exit(f"{command}: unexpected serverInfo {initialized.get('serverInfo')}")
        send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        send({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        tools = [tool["name"] for tool in answer(2).get("tools", [])]
        for expected in ("add_server_to_config", "publish_config", "deploy_config"):
            if expected not in tools:
                sys.exit(f"{command}: tools/list lacks {expected}: {tools}")
        server.stdin.close()
        code = server.wait()
        if code != 0:
            sys.exit(f"{command}: exited with {code} after stdin closed")
        print(f"{' '.join(command)}: {name} {initialized.get('serverInfo', {}).get('version')}, "
              f"protocol {initialized.get('protocolVersion')}, {len(tools)} tools", file=sys.stderr)
    finally:
        timer.cancel()
        if server.poll() is None:
            server.kill()


if __name__ == "__main__":
    main()
