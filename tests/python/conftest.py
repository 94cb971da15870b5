"""Shared fixtures: the real imprint binary, a throwaway home and data directory."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("IMPRINT_BIN", str(ROOT / "target" / "debug" / "imprint"))


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def env(tmp_path):
    """Environment for one imprint process tree: HOME (client files) and IMPRINT_HOME."""
    home = tmp_path / "home"
    home.mkdir()
    return {
        "HOME": str(home),
        "IMPRINT_HOME": str(tmp_path / "data"),
        "PATH": os.environ.get("PATH", ""),
        "USER": "python-tester",
    }


@pytest.fixture
def cli(env):
    """Runs the imprint CLI with --json and returns (exit code, parsed stdout, stderr)."""
    import json

    def run(*args):
        done = subprocess.run([BIN, "--json", *args], env=env, capture_output=True, text=True, timeout=60)
        try:
            body = json.loads(done.stdout) if done.stdout.strip() else None
        except json.JSONDecodeError:
            body = None
        return done.returncode, body, done.stderr

    return run


class Imprint:
    """Calls tools on an MCP session and decodes their JSON results."""

    def __init__(self, session):
        self.session = session

    async def call(self, tool, **arguments):
        result = await self.session.call_tool(tool, arguments)
        text = "".join(block.text for block in result.content if getattr(block, "text", None) is not None)
        import json

        return bool(result.is_error), json.loads(text)

    async def ok(self, tool, **arguments):
        is_error, body = await self.call(tool, **arguments)
        assert not is_error, f"{tool} failed: {body}"
        return body

    async def err(self, tool, **arguments):
        is_error, body = await self.call(tool, **arguments)
        assert is_error, f"{tool} should have failed: {body}"
        return body["error"]["message"]


def stdio_server(env):
    """The real binary as an MCP stdio server, through the official SDK's transport."""
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    return stdio_client(StdioServerParameters(command=BIN, args=["serve"], env=env))
