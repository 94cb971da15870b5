// Shared by the browser tests: the real imprint binary serving HTTP on port 0, and
// Debian's Chromium driven by playwright-core (which never downloads a browser).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '..', '..');
export const BIN = process.env.IMPRINT_BIN || join(ROOT, 'target', 'debug', 'imprint');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const ARTIFACTS = process.env.BROWSER_ARTIFACTS || join(ROOT, 'target', 'browser-artifacts');

/** A throwaway home and data directory, and the environment for imprint processes. */
export function makeEnv() {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-browser-'));
  const home = join(dir, 'home');
  mkdirSync(home);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    IMPRINT_HOME: join(dir, 'data'),
    USER: 'browser-tester',
    IMPRINT_LOG: 'error',
  };
  return { dir, home, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI and returns stdout. */
export function cli(env, ...args) {
  return execFileSync(BIN, args, { env, encoding: 'utf8' });
}

/** Starts `imprint serve --http 127.0.0.1:0`; resolves once it printed its two lines. */
export function startServer(env, extra = []) {
  const child = spawn(BIN, ['serve', '--http', '127.0.0.1:0', ...extra], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  return new Promise((resolvePromise, reject) => {
    const seen = [];
    child.on('exit', (code) => reject(new Error(`imprint serve exited with ${code}`)));
    lines.on('line', (line) => {
      seen.push(line);
      if (seen.length === 2) {
        const url = seen[0].replace('listening on ', '');
        const login = seen[1].replace('control panel: ', '');
        resolvePromise({ url, login, stop: () => child.kill('SIGTERM') });
      }
    });
  });
}

/** Debian's Chromium, headless, in a fresh profile directory. */
export async function launchBrowser(dir) {
  const profile = join(dir, 'chromium-profile');
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** One MCP tools/call over Streamable HTTP; returns the tool's JSON result. */
export async function callTool(server, token, name, args) {
  const response = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  });
  const body = await response.json();
  const text = body.result.content.map((c) => c.text).join('');
  if (body.result.isError) throw new Error(`${name} failed: ${text}`);
  return JSON.parse(text);
}

export function screenshotPath(name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
