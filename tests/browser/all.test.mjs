// The control panel's page of client id `all` in a real headless Chromium: the neutral
// draft, each linked client's payload in its own format, and one Deploy whose flash names
// each client's outcome — a refusal in one client, then a forced deploy of the rest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { makeEnv, startServer, launchBrowser, screenshotPath, cli } from './harness.mjs';

let env, server, browser, page;

function write(relative, text) {
  const path = join(env.home, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const read = (relative) => readFileSync(join(env.home, relative), 'utf8');

before(async () => {
  env = makeEnv();
  // Cursor's file holds a server Imprint did not put there: its first deploy is refused.
  write('.cursor/mcp.json', '{\n  "mcpServers": {\n    "mine": {"command": "my-server"}\n  }\n}\n');
  write('.config/Code/User/mcp.json', '{\n  // agent mode\n  "servers": {}\n}\n');
  write('.codex/config.toml', '# codex\nmodel = "gpt-5-codex"\n');
  server = await startServer(env.env);
  browser = await launchBrowser(env.dir);
  page = await browser.newPage();
  await page.goto(server.login);
});

after(async () => {
  await browser?.close();
  server?.stop();
  env?.cleanup();
});

test('the page of all shows the neutral draft and each linked client payload', async () => {
  await page.goto(`${server.url}/cp/configs/all/default`);
  await page.selectOption('select[name="server_id"]', 'memory');
  await page.getByRole('button', { name: 'Add to draft' }).click();
  await page.getByText("added 'memory' to the draft").waitFor();
  // a server kept off one client, added from the CLI on the same data directory
  cli(env.env, 'draft', 'add', 'time', '--client', 'all', '--except', 'codex');
  await page.reload();

  const clients = page.locator('details.client-payload');
  assert.deepEqual(
    (await clients.evaluateAll((nodes) => nodes.map((n) => n.dataset.client))).sort(),
    ['codex', 'cursor', 'vscode'],
  );
  const codex = page.locator('details.client-payload[data-client="codex"]');
  assert.match(await codex.locator('summary').textContent(), /memory \(not: time\)/);
  assert.match(await codex.locator('summary').textContent(), /valid/);
  await codex.locator('summary').click();
  assert.match(await codex.locator('pre').textContent(), /mcp_servers/);
  const vscode = page.locator('details.client-payload[data-client="vscode"]');
  assert.match(await vscode.locator('summary').textContent(), /memory, time/);
  await vscode.locator('summary').click();
  const payload = await vscode.locator('pre').textContent();
  assert.match(payload, /"servers"/);
  assert.match(payload, /mcp-server-time/);
  await page.screenshot({ path: screenshotPath('all-draft.png'), fullPage: true });
});

test('one Deploy shows each client outcome, and a forced one deploys the refused client', async () => {
  await page.fill('input[name="changelog"]', 'memory and time everywhere');
  await page.getByRole('button', { name: 'Publish signed revision' }).click();
  await page.getByText(/published revision 1/).waitFor();

  await page.getByRole('button', { name: 'Deploy the latest artifact' }).click();
  const flash = page.getByText(/2 deployed, 0 up to date, 1 refused/);
  await flash.waitFor();
  const said = await flash.textContent();
  assert.match(said, /codex: deployed/);
  assert.match(said, /vscode: deployed/);
  assert.match(said, /cursor: refused \([^)]*mine/);
  // the fix is worded for the panel, not as an MCP tool
  assert.doesNotMatch(said, /import_config/);
  const deploy = await page.textContent('#deploy');
  assert.match(deploy, /codex[\s\S]*in step/);
  assert.match(read('.codex/config.toml'), /^# codex\nmodel = "gpt-5-codex"\n/);
  assert.match(read('.codex/config.toml'), /\[mcp_servers\.memory\]/);
  assert.doesNotMatch(read('.cursor/mcp.json'), /server-memory/);
  await page.screenshot({ path: screenshotPath('all-deploy-refused.png'), fullPage: true });

  await page.check('input[name="force"]');
  await page.getByRole('button', { name: 'Deploy the latest artifact' }).click();
  const rest = page.getByText(/1 deployed, 2 up to date, 0 refused/);
  await rest.waitFor();
  assert.match(await rest.textContent(), /cursor: deployed/);
  assert.match(read('.cursor/mcp.json'), /server-memory/);
  const rows = await page.locator('#deploy tr').allTextContents();
  assert.equal(rows.filter((row) => /in step/.test(row)).length, 3, rows.join('\n'));
  await page.screenshot({ path: screenshotPath('all-deploy.png'), fullPage: true });
});
