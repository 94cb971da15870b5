// One workflow through the official TypeScript SDK client, over stdio and over
// Streamable HTTP, against the real imprint binary: list the tools, add a server to a
// draft, see it in the draft, publish it, read it back, and get a tool error for a bad call.
// Usage: node sdk-workflow.mjs <imprint binary>   (exits non-zero on the first failure)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const bin = process.argv[2];
assert.ok(bin, 'usage: node sdk-workflow.mjs <imprint binary>');

function environment() {
  const dir = mkdtempSync(join(tmpdir(), 'imprint-ts-'));
  return { dir, env: { HOME: dir, IMPRINT_HOME: join(dir, 'data'), PATH: process.env.PATH, IMPRINT_LOG: 'error' } };
}

const json = (result) => JSON.parse(result.content.map((block) => block.text ?? '').join(''));

async function workflow(client, label) {
  const { tools } = await client.listTools();
  const names = new Set(tools.map((tool) => tool.name));
  for (const name of ['add_server_to_config', 'view_draft_config', 'publish_config', 'get_config']) {
    assert.ok(names.has(name), `${label}: tools/list lacks ${name}`);
  }
  const added = await client.callTool({ name: 'add_server_to_config', arguments: { server_id: 'memory' } });
  assert.ok(!added.isError, `${label}: add_server_to_config failed: ${JSON.stringify(added)}`);
  const draft = json(await client.callTool({ name: 'view_draft_config', arguments: {} }));
  assert.ok(JSON.stringify(draft).includes('memory'), `${label}: the draft lacks memory`);
  const published = await client.callTool({ name: 'publish_config', arguments: { changelog: `from ${label}` } });
  assert.ok(!published.isError, `${label}: publish_config failed: ${JSON.stringify(published)}`);
  const latest = json(await client.callTool({ name: 'get_config', arguments: {} }));
  assert.match(latest.artifact_id, /^[0-9a-f]{64}$/, `${label}: get_config has no artifact_id`);
  const failed = await client.callTool({ name: 'describe_server', arguments: { server_id: 'no-such-server' } });
  assert.equal(failed.isError, true, `${label}: an unknown server must be a tool error`);
  assert.ok(json(failed).error.message.includes('no-such-server'), `${label}: the error names the server`);
  const resource = await client.readResource({ uri: 'capabilities://server' });
  assert.equal(JSON.parse(resource.contents[0].text).name, 'imprint');
  console.log(`ok: TypeScript SDK workflow over ${label}`);
}

async function overStdio() {
  const { dir, env } = environment();
  const client = new Client({ name: 'imprint-ts-test', version: '0' });
  try {
    await client.connect(new StdioClientTransport({ command: bin, args: ['serve'], env, stderr: 'inherit' }));
    await workflow(client, 'stdio');
  } finally {
    await client.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function overHttp() {
  const { dir, env } = environment();
  const server = spawn(bin, ['serve', '--http', '127.0.0.1:0', '--no-auth'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const client = new Client({ name: 'imprint-ts-test', version: '0' });
  try {
    // the server prints its address once bound: read it instead of sleeping
    const first = await new Promise((resolve, reject) => {
      createInterface({ input: server.stdout }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`imprint serve exited with ${code}`)));
    });
    assert.match(first, /^listening on http:\/\//);
    const url = new URL(`${first.replace('listening on ', '')}/mcp`);
    await client.connect(new StreamableHTTPClientTransport(url));
    await workflow(client, 'Streamable HTTP');
  } finally {
    await client.close();
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await overStdio();
await overHttp();
