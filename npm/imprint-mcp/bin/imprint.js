#!/usr/bin/env node
// `imprint` (and `imprint-mcp`, the name `npx -y imprint-mcp` runs) from npm: starts the
// native binary that came with this platform's package, @imprint-mcp/<platform>-<arch>,
// installed through optionalDependencies (npm installs only the one whose `os`/`cpu` match;
// nothing is downloaded by a script). stdio is inherited, so an MCP client talks to the
// binary directly; signals are passed on and the binary's exit status is ours.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

const platformPackage = `@imprint-mcp/${process.platform}-${process.arch}`;
const executable = process.platform === "win32" ? "imprint.exe" : "imprint";

function binary() {
  try {
    const manifest = require.resolve(`${platformPackage}/package.json`);
    return path.join(path.dirname(manifest), "bin", executable);
  } catch {
    process.stderr.write(
      `error: ${platformPackage} is not installed, so there is no imprint binary for ` +
        `${process.platform}-${process.arch}. Reinstall imprint-mcp without --omit=optional ` +
        `(or --no-optional); if this platform has no package, build imprint from source ` +
        `(cargo install --path crates/imprint) or use \`uvx imprint-mcp\`.\n`,
    );
    process.exit(1);
  }
}

const child = spawn(binary(), process.argv.slice(2), { stdio: "inherit" });

// A client stops a server by signalling the process it started, which is this one.
const forwarded = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];
for (const signal of forwarded) {
  process.on(signal, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  });
}

child.on("error", (error) => {
  process.stderr.write(`error: cannot start ${child.spawnfile}: ${error.message}\n`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (signal) {
    // End the way the binary ended, so the parent sees the same signal.
    for (const s of forwarded) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
