// The control panel's MCP configuration pages in a real headless Chromium: sign in with
// the login URL the server printed, build a draft, publish twice, compare the two
// revisions, deploy, and roll back — all by clicking.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv, startServer, launchBrowser, screenshotPath, cli } from './harness.mjs';

let env, server, browser, page;

before(async () => {
  env = makeEnv();
  server = await startServer(env.env);
  browser = await launchBrowser(env.dir);
  page = await browser.newPage();
});

after(async () => {
  await browser?.close();
  server?.stop();
  env?.cleanup();
});

test('signing in with the printed login URL opens the dashboard', async () => {
  await page.goto(server.login);
  assert.equal(new URL(page.url()).pathname, '/cp');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  assert.match(await page.textContent('nav'), /browser-tester/);
});

test('a draft is built, published twice, compared, deployed and rolled back', async () => {
  await page.goto(`${server.url}/cp/configs/claude-desktop/default`);
  await page.selectOption('select[name="server_id"]', 'memory');
  await page.getByRole('button', { name: 'Add to draft' }).click();
  await page.getByText("added 'memory' to the draft").waitFor();

  await page.fill('input[name="changelog"]', 'memory for the assistant');
  await page.getByRole('button', { name: 'Publish signed revision' }).click();
  await page.getByText(/published revision 1/).waitFor();

  await page.selectOption('select[name="server_id"]', 'time');
  await page.getByRole('button', { name: 'Add to draft' }).click();
  await page.getByText("added 'time' to the draft").waitFor();
  await page.fill('input[name="changelog"]', 'and the time');
  await page.getByRole('button', { name: 'Publish signed revision' }).click();
  await page.getByText(/published revision 2/).waitFor();
  const history = await page.textContent('#history');
  assert.match(history, /memory for the assistant/);
  assert.match(history, /signature verified/);

  await page.getByRole('button', { name: 'Compare' }).click();
  await page.getByRole('heading', { name: 'Compare' }).waitFor();
  const added = await page.locator('pre.diff ins').allTextContents();
  assert.ok(added.some((line) => line.includes('"time"')), added.join('\n'));
  await page.screenshot({ path: screenshotPath('config-diff.png'), fullPage: true });
  await page.goBack();

  await page.getByRole('button', { name: 'Deploy the latest artifact' }).click();
  await page.getByText(/wrote 2 server\(s\)/).waitFor();
  assert.match(await page.textContent('#deploy'), /no drift/);

  await page.getByRole('button', { name: 'Roll back to this' }).first().click();
  await page.getByText(/rolled back: revision 3/).waitFor();
  assert.match(await page.textContent('#deploy'), /behind the latest artifact/);
  await page.screenshot({ path: screenshotPath('config-profile.png'), fullPage: true });

  // The CLI on the same data directory sees what the browser did.
  const history3 = JSON.parse(cli(env.env, '--json', 'config', 'history'));
  assert.equal(history3.count, 3);
  assert.equal(history3.revisions[2].author, 'browser-tester');
});

test('a page opened without a session goes through login and comes back', async () => {
  // A persistent context has one cookie jar: sign out, then come back.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto(`${server.url}/cp/configs/claude-desktop/default#history`);
  assert.equal(new URL(page.url()).pathname, '/cp/login');
  const token = cli(env.env, 'token', 'create', '--name', 'reviewer').trim();
  await page.fill('input[name="token"]', token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  assert.equal(new URL(page.url()).pathname, '/cp/configs/claude-desktop/default');
  assert.match(await page.textContent('nav'), /reviewer/);
});
