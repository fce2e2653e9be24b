// Changing a saved storage login in Settings → Repository, end to end: a real `cairn serve`,
// Debian's Chromium and a real `rclone serve restic` behind a login. The repository is set up with
// one REST password, then the server's password is changed. The connection test says access is
// refused; a mistyped new password is tested and not saved; the right one is tested and saved,
// and the connection test passes again. The field never shows a saved password. Screens go to
// test-artifacts/storage-login/ (names, contrast and overflow checked on each).
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, requireBrowserAndUi, screenshotter, serveApi, startServe, stopAll } from '../helpers/e2e.ts';
import { startRcloneRest, type RestServer } from '../helpers/rclone-rest.ts';
import { ROOT, tmpDir } from '../helpers/tools.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'storage-login');
const USER = 'carol';
const OLD = 'old-login-e2e-3k9d';
const NEW = 'new-login-e2e-after-change-7w2p';
const work = tmpDir('e2e-storage-login');
const restDir = path.join(work, 'rest-repo');

let server: ChildProcess;
let context: BrowserContext;
let page: Page;
let url: string;
let rest: RestServer | undefined;
const api = serveApi(() => url);
const screens = screenshotter(ARTIFACTS, () => page);

before(async () => {
  requireBrowserAndUi();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  rest = await startRcloneRest(restDir, { user: USER, password: OLD });
  const port = Number(new URL(rest.url).port);
  ({ server, url } = await startServe(work));
  await api('POST', '/api/repositories', { name: 'NAS', location: rest.url.replace('http://', `rest:http://${USER}@`), password: 'repo password e2e 5t', init: true, credentials: { restPassword: OLD } });
  // The server's administrator changes the password.
  await rest.stop();
  rest = await startRcloneRest(restDir, { user: USER, password: NEW }, { port });
  ({ context, page } = await launchChromium(work));
});

after(async () => {
  await stopAll(context, server, work);
  await rest?.stop();
});

test('a changed REST password is typed in Settings, tested, refused when wrong and saved when right', async () => {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  const region = page.getByRole('region', { name: 'Repository', exact: true });
  await region.getByRole('button', { name: 'Test connection' }).click();
  await region.getByText('The storage refused access.').waitFor({ timeout: 30_000 });

  const form = region.getByRole('form', { name: 'Change the storage login' });
  const field = form.getByLabel('New REST password');
  assert.equal(await field.inputValue(), '', 'the saved password is never shown');
  const save = form.getByRole('button', { name: 'Test and save' });
  assert.equal(await save.isDisabled(), true, 'nothing to save yet');

  await field.fill('a typo of the new one');
  await save.click();
  await form.getByRole('alert').filter({ hasText: 'Not saved: The storage refused access.' }).waitFor({ timeout: 30_000 });
  await form.getByText(/must match an entry in the server's \.htpasswd file/).waitFor();
  await screens('login-refused', save);

  // By keyboard: type, then Enter submits the form.
  await field.fill(NEW);
  await field.press('Enter');
  await form.getByText('Tested and saved.').waitFor({ timeout: 30_000 });
  assert.equal(await field.inputValue(), '', 'the field is cleared once saved');
  await region.getByRole('button', { name: 'Test connection' }).click();
  await region.getByText('Connected. The saved password opens the repository.').waitFor({ timeout: 30_000 });
  await screens('login-saved', save);
  assert.ok(!(await page.content()).includes(NEW), 'the page holds no saved password');
});
