// The content pages in a real headless Chromium: the edit URL returned by the
// create_entry tool opens the entry; a draft made by create_draft shows its changes
// field by field; Apply makes it live; a draft made and edited in the panel applies too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeEnv, startServer, launchBrowser, screenshotPath, cli, callTool } from './harness.mjs';

let env, server, browser, page, token, model;

async function rest(method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  assert.ok(response.ok, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

before(async () => {
  env = makeEnv();
  server = await startServer(env.env);
  token = cli(env.env, 'token', 'create', '--name', 'editor', '--role', 'admin').trim();
  // A blog whose articles have a title, a body and a category.
  const body = await rest('POST', '/v1/content/fields', { type: 'PlainText', name: 'Body', handle: 'body' });
  const category = await rest('POST', '/v1/content/fields', {
    type: 'Dropdown', name: 'Category', handle: 'category',
    settings: { options: [{ label: 'News', value: 'news' }, { label: 'Recipes', value: 'recipes' }] },
  });
  const article = await rest('POST', '/v1/content/entry-types', { name: 'Article' });
  const layout = await rest('GET', `/v1/content/field-layouts/${article.fieldLayoutId}`);
  await rest('PUT', `/v1/content/field-layouts/${article.fieldLayoutId}`, {
    tabs: [{ name: 'Content', elements: [
      { uid: layout.fieldLayout.tabs[0].elements[0].uid },
      { type: 'CustomField', fieldId: body.fieldId, required: true },
      { type: 'CustomField', fieldId: category.fieldId },
    ] }],
  });
  const section = await rest('POST', '/v1/content/sections', { name: 'Blog', type: 'channel', entryTypeIds: [article.entryTypeId] });
  model = { section: section.sectionId, article: article.entryTypeId };
  browser = await launchBrowser(env.dir);
  page = await browser.newPage();
  await page.goto(server.login);
});

after(async () => {
  await browser?.close();
  server?.stop();
  env?.cleanup();
});

test('the edit URL from create_entry opens the entry', async () => {
  const entry = await callTool(server, token, 'create_entry', {
    sectionId: model.section, entryTypeId: model.article,
    attributeAndFieldData: { title: 'Soup season', body: 'Warm soups for cold days.', category: 'recipes' },
  });
  assert.equal(entry.url, `${server.url}/cp/entries/${entry.entryId}`);
  await page.goto(entry.url);
  await page.getByRole('heading', { name: 'Soup season' }).waitFor();
  assert.match(await page.textContent('#fields'), /Warm soups for cold days\./);
  model.entry = entry.entryId;
});

test('a draft from create_draft shows its diff, and Apply makes it live', async () => {
  const draft = await callTool(server, token, 'create_draft', {
    canonicalId: model.entry, draftName: 'Stews too',
    attributeAndFieldData: { title: 'Soup and stew season', category: 'news' },
  });
  assert.equal(draft.url, `${server.url}/cp/entries/${model.entry}?draftId=${draft.draftId}`);
  await page.goto(draft.url);
  await page.getByText('2 fields differ from the live entry.').waitFor();
  const changed = await page.locator('#changes tr:has(.badge.bad)').allTextContents();
  assert.equal(changed.length, 2, changed.join('\n'));
  assert.ok(changed.some((row) => row.includes('Soup season') && row.includes('Soup and stew season')));
  await page.screenshot({ path: screenshotPath('content-draft-diff.png'), fullPage: true });

  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.getByRole('heading', { name: 'Soup and stew season' }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/cp/entries/${model.entry}`);
  assert.match(await page.textContent('#revisions'), /apply/);
  await page.screenshot({ path: screenshotPath('content-entry-applied.png'), fullPage: true });

  const live = await rest('GET', `/v1/content/entries/${model.entry}`);
  assert.equal(live.title, 'Soup and stew season');
  assert.equal(live.category, 'news');
});

test('a draft made and edited in the panel applies', async () => {
  await page.goto(`${server.url}/cp/entries/${model.entry}`);
  await page.fill('#drafts input[name="draftName"]', 'Shorter body');
  await page.getByRole('button', { name: 'Create a draft' }).click();
  await page.getByText('No differences from the live entry.').waitFor();
  await page.fill('#edit textarea[name="f.body"], #edit input[name="f.body"]', 'Soups and stews.');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await page.getByText('1 field differs from the live entry.').waitFor();
  await page.getByRole('button', { name: 'Apply', exact: true }).click();
  await page.getByRole('heading', { name: 'Soup and stew season' }).waitFor();
  assert.match(await page.textContent('#fields'), /Soups and stews\./);
});

test('a new entry is written in the panel and found by search', async () => {
  await page.goto(`${server.url}/cp/entries`);
  await page.getByRole('button', { name: 'Write' }).click();
  await page.fill('input[name="title"]', 'Bread basics');
  await page.fill('input[name="f.body"]', 'Flour, water, salt, time.');
  await page.getByRole('button', { name: 'Create entry' }).click();
  await page.getByRole('heading', { name: 'Bread basics' }).waitFor();
  await page.goto(`${server.url}/cp/entries?query=flour`);
  await page.getByRole('link', { name: 'Bread basics' }).click();
  await page.getByRole('heading', { name: 'Bread basics' }).waitFor();
});

test('the restoreUrl of a trashed entry opens a page whose Restore button brings it back', async () => {
  const entry = await callTool(server, token, 'create_entry', {
    sectionId: model.section, entryTypeId: model.article,
    attributeAndFieldData: { title: 'Gone for a while', body: 'Back soon.' },
  });
  const deleted = await callTool(server, token, 'delete_entry', { entryId: entry.entryId });
  assert.equal(deleted.deletedPermanently, false);
  assert.equal(deleted.restoreUrl, `${server.url}/cp/entries/${entry.entryId}`);
  assert.equal((await rest('GET', `/v1/content/entries/${entry.entryId}`)).status, 'trashed');

  await page.goto(deleted.restoreUrl);
  await page.getByText('This entry is in the trash').waitFor();
  await page.screenshot({ path: screenshotPath('content-restore.png'), fullPage: true });
  await page.locator('#trashed').getByRole('button', { name: 'Restore' }).click();
  await page.getByText(`restored entry ${entry.entryId} from the trash`).waitFor();
  assert.equal(await page.locator('#trashed').count(), 0);
  assert.equal(new URL(page.url()).pathname, `/cp/entries/${entry.entryId}`);

  const back = await rest('GET', `/v1/content/entries/${entry.entryId}`);
  assert.equal(back.status, 'live');
  assert.equal(back.trashed, false);
  await page.goto(`${server.url}/cp/entries?query=soon`);
  await page.getByRole('link', { name: 'Gone for a while' }).waitFor();
});
