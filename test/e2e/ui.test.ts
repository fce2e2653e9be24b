// The UI end to end: a real `cairn serve` (child process, fresh config folder, passwords in the
// opt-in password file, no keyring) with the real engine, driven by Debian's Chromium (headless,
// through playwright-core). It completes the first-run wizard to a new local repository (the
// folder to back up chosen with the folder picker), one step by keyboard only, and meets the
// error paths on the way (a REST server that refuses a wrong login and then accepts the right
// one, an rclone remote that does not exist, an unreachable SFTP server, a wrong password for an
// existing repository, a bad cron expression), sets up a second copy on the REST server; then
// watches the first backup run on the dashboard, and checks with restic that the repository is
// valid and holds the snapshot, and that the copy is on the REST server (the card: 2 places, one offsite);
// a backup whose folder is gone shows its error and next step on the card; last, a long backup
// shows its live numbers (files, bytes, speed, time left, current file) and Cancel stops it.
// Every screen is saved at 1440x900 (light and dark) and 800x600 under test-artifacts/ui/, and
// each is checked for content sticking out of the window.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, requireBrowserAndUi, screenshotter, startServe, stopAll } from '../helpers/e2e.ts';
import { startRcloneRest, type RestServer } from '../helpers/rclone-rest.ts';
import { cairnOk, requireTool, restic, resticOk, ROOT, tmpDir } from '../helpers/tools.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'ui');
const PASSWORD = 'granite ledge moss river 42';
const OTHER_PASSWORD = 'an existing repository 9d1c';

let server: ChildProcess;
let context: BrowserContext;
let page: Page;
let url: string;
let rest: RestServer;
const REST_LOGIN = { user: 'backup', password: 'the rest server login 5s1q' };
const work = tmpDir('e2e-ui');
const dataDir = path.join(work, 'data');
const repoDir = path.join(work, 'backups', 'repo');
const existingRepo = path.join(work, 'existing-repo');

/** Files to back up: small text files in folders, and enough random data that the backup runs a few seconds. */
function makeData(): void {
  const rnd = (n: number) => crypto.createHash('sha256').update(String(n)).digest();
  for (let d = 0; d < 4; d++) {
    const dir = path.join(dataDir, `folder-${d}`);
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 10; f++) fs.writeFileSync(path.join(dir, `note-${f}.txt`), `folder ${d}, note ${f}\n`.repeat(50 + f));
  }
  const big = Buffer.alloc(24 << 20);
  for (let i = 0; i < big.length; i += 32) rnd(i).copy(big, i);
  fs.mkdirSync(path.join(dataDir, 'media'), { recursive: true });
  for (let i = 0; i < 3; i++) fs.writeFileSync(path.join(dataDir, 'media', `video-${i}.bin`), big.subarray(i * 8 << 20, (i + 1) * 8 << 20));
}

/** A port nothing listens on: bound once to learn a free number, then closed. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const screens = screenshotter(ARTIFACTS, () => page);

const heading = (name: string) => page.getByRole('heading', { level: 1, name });
const next = () => page.getByRole('button', { name: 'Continue' }).click();

before(async () => {
  requireTool('restic', 'apt-get install -y restic');
  requireBrowserAndUi();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  makeData();
  cairnOk(['-r', existingRepo, 'init'], { password: OTHER_PASSWORD });
  rest = await startRcloneRest(path.join(work, 'rest-repo'), REST_LOGIN);
  ({ server, url } = await startServe(work));
  ({ context, page } = await launchChromium(work));
});

after(async () => {
  await rest?.stop();
  await stopAll(context, server, work);
});

test('the wizard sets up a local repository, the first backup runs on the dashboard, and restic reads the result', async () => {
  try {
    await wizardAndDashboard();
  } catch (err) {
    // What was on the screen when it failed, for whoever reads the CI log.
    await page.screenshot({ path: path.join(ARTIFACTS, 'failure.png') }).catch(() => {});
    throw err;
  }
});

async function wizardAndDashboard(): Promise<void> {
  await page.goto(url);
  assert.ok(!page.url().includes('token='), 'the token leaves the address bar');
  await heading('Welcome to Cairn').waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Set-up steps' }).getByRole('listitem').count(), 8);
  await screens('welcome');
  await page.getByRole('button', { name: 'Get started' }).click();

  // Storage, error path 1: a REST server that refuses a wrong login, then accepts the right one.
  await heading('Where to store backups').waitFor();
  await page.getByRole('radio', { name: /A REST server/ }).check();
  await page.getByRole('textbox', { name: 'Server address', exact: true }).fill(rest.url);
  await page.getByRole('textbox', { name: 'REST user name', exact: true }).fill(REST_LOGIN.user);
  await page.getByLabel('REST password', { exact: true }).fill('not the login');
  await page.getByRole('button', { name: 'Test connection' }).click();
  const refused = page.getByRole('alert').filter({ hasText: 'The storage refused access.' });
  await refused.waitFor();
  assert.match(await refused.innerText(), /HTTP 401[\s\S]*What to do: Check the user name and password/);
  await screens('storage-rest-refused');
  await page.getByLabel('REST password', { exact: true }).fill(REST_LOGIN.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByRole('status').filter({ hasText: 'There is no backup repository here yet' }).waitFor();
  await screens('storage-rest-ok');

  // An rclone remote that is not set up on this computer: said so, with how to set it up.
  await page.getByRole('radio', { name: /An rclone remote/ }).check();
  await page.getByRole('textbox', { name: 'rclone remote', exact: true }).fill('no-such-remote');
  await page.getByRole('button', { name: 'Test connection' }).click();
  const noRemote = page.getByRole('alert').filter({ hasText: 'There is no rclone remote by that name on the computer running Cairn.' });
  await noRemote.waitFor();
  assert.match(await noRemote.innerText(), /What to do: Create it with "rclone config"/);
  await screens('storage-rclone-missing');

  // Error path 2: an SFTP server that does not answer (a closed port on loopback).
  await heading('Where to store backups').waitFor();
  await page.getByRole('radio', { name: /An SFTP server/ }).check();
  await page.getByRole('textbox', { name: 'Server', exact: true }).fill('127.0.0.1');
  await page.getByRole('textbox', { name: 'Port', exact: true }).fill(String(await closedPort()));
  await page.getByRole('textbox', { name: 'User name', exact: true }).fill('backup');
  await page.getByRole('textbox', { name: 'Folder on the server', exact: true }).fill('/srv/backup');
  await page.getByRole('button', { name: 'Test connection' }).click();
  const unreachable = page.getByRole('alert').filter({ hasText: 'Cairn could not reach this storage.' });
  await unreachable.waitFor();
  assert.match(await unreachable.innerText(), /What to do: Check the server's name and port/);
  assert.doesNotMatch(await unreachable.innerText(), /\bat .*\.(ts|js):\d+/, 'no stack trace');
  // The answer and what to do are scrolled into sight, not left below the step's fold.
  assert.ok(await unreachable.evaluate((el) => el.getBoundingClientRect().bottom <= el.closest('.body')!.getBoundingClientRect().bottom + 1), 'the verdict is in view');
  await screens('storage-sftp-unreachable');
  await next();
  await page.getByRole('alert').filter({ hasText: 'Test the connection first' }).waitFor();

  // Error path 3: an existing repository opened with the wrong password.
  await page.getByRole('radio', { name: /A folder or external drive/ }).check();
  await page.getByRole('textbox', { name: 'Folder for the backups', exact: true }).fill(existingRepo);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByRole('status').filter({ hasText: 'There is a backup repository here already' }).waitFor();
  await next();
  await heading('Password').waitFor();
  await page.getByLabel('Repository password').fill('not the password');
  await page.getByRole('button', { name: 'Check password' }).click();
  const wrong = page.getByRole('alert').filter({ hasText: 'This password does not open the repository.' });
  await wrong.waitFor();
  assert.match(await wrong.innerText(), /What to do: Type it again/);
  await screens('password-wrong');
  await next();
  await page.getByRole('alert').filter({ hasText: 'Check the password first.' }).waitFor();
  await page.getByRole('button', { name: 'Back' }).click();

  // Storage by keyboard only: Tab to the folder field, type, Tab to the test, Enter, Enter to go on.
  await heading('Where to store backups').waitFor();
  const folder = page.getByRole('textbox', { name: 'Folder for the backups', exact: true });
  for (let i = 0; i < 15 && !(await folder.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  assert.ok(await folder.evaluate((el) => el === document.activeElement), 'the folder field is reachable with Tab');
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(repoDir);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Test connection');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'There is no backup repository here yet' }).waitFor();
  await screens('storage-local-ok');
  await folder.focus();
  await page.keyboard.press('Enter'); // submits the step's form: Continue
  await heading('Password').waitFor();

  // Password for a new repository: meter, warning, acknowledgement.
  await page.getByLabel('New password').fill('abc');
  assert.equal(await page.getByRole('meter', { name: 'Password strength' }).getAttribute('value'), '1');
  await page.getByText('Weak.').waitFor();
  await page.getByLabel('New password').fill(PASSWORD);
  await page.getByLabel('Repeat the password').fill(PASSWORD);
  await page.getByText('Strong.').waitFor();
  await page.getByRole('note', { name: 'Lost password warning' }).getByText('If you lose this password, your backups cannot be restored.').waitFor();
  // Saved by default (scheduled backups need it); unticking says what that means instead.
  const save = page.getByRole('checkbox', { name: 'Save the password on this computer' });
  assert.equal(await save.isChecked(), true);
  await page.getByText(/Cairn keeps it in a file only your user can read, so scheduled backups run without asking/).waitFor();
  await save.uncheck();
  await page.getByText(/Cairn keeps it only while it runs\. After Cairn or this computer restarts, backups wait/).waitFor();
  await save.check();
  await next();
  await page.getByRole('alert').filter({ hasText: 'Confirm that you have written the password down.' }).waitFor();
  await page.getByRole('checkbox', { name: 'I have written the password down somewhere safe' }).check();
  await screens('password-create');
  await next();

  // What to back up: a typed path, presets from the API, the estimate.
  await heading('What to back up').waitFor();
  // The folder picker (the browser has none for the computer running Cairn): it opens at the
  // typed folder, a subfolder is opened with a button, and the one shown is chosen.
  const source = page.getByRole('textbox', { name: 'Folder to back up 1', exact: true });
  await source.fill(work);
  await page.getByRole('button', { name: 'Choose folder 1' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose a folder to back up' });
  // By keyboard: Enter on a folder opens it, and the focus moves to the new list's first folder.
  await picker.getByRole('list', { name: `Folders in ${work}` }).getByRole('button', { name: 'data', exact: true }).focus();
  await page.keyboard.press('Enter');
  await picker.getByRole('list', { name: `Folders in ${dataDir}` }).getByRole('button', { name: 'media', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'folder-0', 'the focus stays in the list');
  assert.equal(await picker.getByLabel('Current folder').innerText(), dataDir);
  await screens('folder-picker');
  await picker.getByRole('button', { name: 'Choose this folder' }).click();
  await picker.waitFor({ state: 'hidden' });
  assert.equal(await source.inputValue(), dataDir);
  assert.equal(await page.getByRole('checkbox', { name: 'Trash' }).isChecked(), true);
  await page.getByRole('checkbox', { name: /node_modules/ }).check();
  // The test's folder lies under /tmp, which the (default) caches preset leaves out: the
  // estimate says nothing would be backed up, until that preset is unticked.
  await page.getByRole('status').filter({ hasText: 'Nothing in this folder would be backed up' }).waitFor();
  await screens('sources-all-excluded');
  await page.getByRole('checkbox', { name: 'Caches and temporary files' }).uncheck();
  await page.getByRole('status').filter({ hasText: 'About 25 MB in 43 files' }).waitFor();
  await screens('sources');
  await next();

  // When: a bad cron expression is refused in words, then daily at a time.
  await heading('When to back up').waitFor();
  await page.getByRole('radio', { name: 'On a custom schedule (cron)' }).check();
  await page.getByRole('textbox', { name: 'Cron expression', exact: true }).fill('61 * * * *');
  await page.getByText(/^not a valid cron expression/).waitFor();
  await screens('schedule-cron-invalid');
  await next();
  await page.getByRole('alert').filter({ hasText: 'Fix the cron expression first.' }).waitFor();
  await page.getByRole('radio', { name: 'Every day' }).check();
  await page.getByLabel('Time of the daily backup').fill('21:30');
  await next();

  await heading('How long to keep backups').waitFor();
  assert.equal(await page.getByRole('radio', { name: /Standard/ }).isChecked(), true);
  await screens('retention');
  await next();

  // The second copy offsite: the REST server (its login from the storage step), a new repository
  // there with the same password.
  await heading('A second copy elsewhere').waitFor();
  await page.getByRole('checkbox', { name: 'Also keep a copy somewhere else' }).check();
  await page.getByRole('radio', { name: /A REST server/ }).check();
  await page.getByRole('textbox', { name: 'Server address', exact: true }).fill(rest.url);
  await page.getByRole('textbox', { name: 'REST user name', exact: true }).fill(REST_LOGIN.user);
  await page.getByLabel('REST password', { exact: true }).fill(REST_LOGIN.password);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByRole('status').filter({ hasText: 'There is no backup repository here yet' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: 'Use the same password as the first repository' }).isChecked(), true);
  await screens('offsite');
  await next();

  await heading('Ready to start').waitFor();
  await page.getByRole('textbox', { name: 'Name of this backup plan', exact: true }).fill('Documents');
  assert.match(await page.getByRole('definition').filter({ hasText: 'Every day' }).innerText(), /Every day at 21:30/);
  await page.getByRole('definition').filter({ hasText: 'Trash, Installed JavaScript packages (node_modules)' }).waitFor();
  await page.getByRole('definition').filter({ hasText: `rest:http://${REST_LOGIN.user}@127.0.0.1` }).waitFor();
  await screens('summary');
  await page.getByRole('button', { name: 'Start first backup' }).click();

  // The dashboard: the running job's live panel, then its completion.
  await page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
  const card = page.getByRole('article', { name: 'Documents' });
  await card.waitFor();
  await page.getByRole('link', { name: 'Dashboard' }).waitFor();
  assert.deepEqual(await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents(), ['Dashboard', 'Snapshots', 'Settings'], 'the navigation lists the screens that exist');
  const progress = card.getByRole('progressbar', { name: 'Documents progress' });
  await progress.waitFor({ timeout: 30_000 });
  await card.getByRole('button', { name: 'Cancel' }).waitFor();
  await card.getByText(/\d+ files?/).first().waitFor();
  await screens('dashboard-running');
  await card.getByRole('status').filter({ hasText: /^Backup finished/ }).waitFor({ timeout: 90_000 });
  assert.match(await card.getByRole('status').filter({ hasText: /^Backup finished/ }).innerText(), /43 files checked/);
  await card.getByText('Up to date').waitFor();
  // The copy on the REST server counts: two places, one of them offsite.
  assert.equal(await card.getByRole('definition').nth(2).innerText(), '2 places, one offsite');
  await screens('dashboard-done');

  // restic agrees: the repository is valid and holds the snapshot of the folder.
  resticOk(repoDir, ['check'], { password: PASSWORD });
  const snaps = JSON.parse(resticOk(repoDir, ['snapshots', '--json'], { password: PASSWORD })) as { id: string; paths: string[] }[];
  assert.equal(snaps.length, 1);
  assert.deepEqual(snaps[0].paths, [dataDir]);
  assert.notEqual(restic(repoDir, ['snapshots'], { password: 'not the password' }).code, 0, 'the repository is encrypted with the chosen password');
  const restRepo = `rest:http://${REST_LOGIN.user}:${encodeURIComponent(REST_LOGIN.password)}@${new URL(rest.url).host}/`;
  const copied = JSON.parse(resticOk(restRepo, ['snapshots', '--json'], { password: PASSWORD })) as { paths: string[] }[];
  assert.deepEqual(copied.map((c) => c.paths), [[dataDir]], 'the snapshot was copied to the REST server');

  // Back up now runs a second backup from the card: its own result replaces the first one's.
  const done = card.getByRole('status').filter({ hasText: /^Backup finished/ });
  const first = await done.innerText();
  await card.getByRole('button', { name: 'Back up Documents now' }).click();
  await card.getByRole('status').filter({ hasText: /^Backup finished .*: 43 files checked/ }).filter({ hasNotText: first }).waitFor({ timeout: 60_000 });
  // "Standard" keeps the 5 newest before its hourly and daily rules, so a second backup on the
  // same day keeps the first one (by the day alone it would have been removed).
  const after = JSON.parse(resticOk(repoDir, ['snapshots', '--json'], { password: PASSWORD })) as { id: string }[];
  assert.equal(after.length, 2);
  assert.ok(after.some((a) => a.id === snaps[0].id), 'the first snapshot of the day is kept');
  assert.doesNotMatch(await done.innerText(), /removed/, 'nothing was removed, and the card says nothing of it');

  // Pause on the card: a menu of durations for this plan alone, by keyboard (Escape closes it and
  // focus returns); paused, the card says until when and offers Resume.
  const pauseButton = card.getByRole('button', { name: 'Pause Documents…' });
  const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? '');
  await pauseButton.focus();
  await page.keyboard.press('Enter');
  const pauseMenu = card.getByRole('region', { name: 'Pause Documents' });
  await pauseMenu.getByRole('heading', { name: 'Pause Documents' }).waitFor();
  assert.equal(await focusedName(), 'For 1 hour', 'the menu takes focus on its first choice');
  await page.keyboard.press('Escape');
  await pauseMenu.waitFor({ state: 'detached' });
  assert.equal(await focusedName(), 'Pause Documents…', 'Escape gives focus back to the Pause button');
  await pauseButton.click();
  await screens('dashboard-plan-pause-menu', pauseMenu);
  await pauseMenu.getByRole('group', { name: 'Pause Documents' }).getByRole('button', { name: 'For 1 day' }).click();
  const pausedNote = card.getByRole('status').filter({ hasText: /^Paused until .+: this plan's scheduled backups wait/ });
  await pausedNote.waitFor();
  const nextBackup = card.getByRole('definition').nth(1);
  assert.match(await nextBackup.innerText(), /^Paused until /);
  assert.equal(await focusedName(), 'Resume Documents', 'focus moves to Resume');
  assert.equal(await page.getByRole('button', { name: 'Resume schedules' }).count(), 0, 'only this plan is paused, not all schedules');
  await screens('dashboard-plan-paused', card);
  await card.getByRole('button', { name: 'Resume Documents' }).click();
  await pausedNote.waitFor({ state: 'detached' });
  await pauseButton.waitFor();
  assert.doesNotMatch(await nextBackup.innerText(), /Paused/);

  // An error on the card: the folder to back up is gone (a drive unplugged). The card says what
  // happened and what to do, with no stack trace; the repository keeps its snapshot.
  fs.renameSync(dataDir, `${dataDir}-unplugged`);
  try {
    await card.getByRole('button', { name: 'Back up Documents now' }).click();
    const failed = card.getByRole('alert').filter({ hasText: 'The last backup failed.' });
    await failed.waitFor({ timeout: 60_000 });
    assert.match(await failed.innerText(), /does not exist[\s\S]*What to do: One of the folders to back up is gone/);
    assert.doesNotMatch(await failed.innerText(), /\bat .*\.(ts|js):\d+/, 'no stack trace');
    await card.getByText('Needs attention').waitFor();
    // "Last backup" (the card's first fact) still shows the last success, not "Never".
    assert.match(await card.getByRole('definition').first().innerText(), /^(just now|\d+ minutes? ago)$/, 'the last successful backup still shows after a failure');
    await screens('dashboard-error');
  } finally {
    fs.renameSync(`${dataDir}-unplugged`, dataDir);
  }
  assert.equal((JSON.parse(resticOk(repoDir, ['snapshots', '--json'], { password: PASSWORD })) as unknown[]).length, 2, 'the failed backup added no snapshot');

  // A long backup: live files, bytes, speed, time left and the current file, then Cancel. A
  // 64 GiB sparse file takes no disk space but is read and chunked all the same (minutes).
  const sparse = path.join(dataDir, 'disk-image.raw');
  fs.writeFileSync(sparse, '');
  fs.truncateSync(sparse, 64 * 2 ** 30);
  try {
    await card.getByRole('button', { name: 'Back up Documents now' }).click();
    const panel = card.getByRole('region', { name: 'Documents: running' });
    await panel.getByText(`Now: ${sparse}`).waitFor({ timeout: 30_000 });
    const facts = panel.getByRole('definition');
    await page.waitForFunction((el) => [...el.querySelectorAll('dd')].every((d) => d.textContent !== '–' && !/^0 bytes/.test(d.textContent ?? '')), await panel.elementHandle());
    const [files, data, speed, left] = (await facts.allInnerTexts()).map((t) => t.trim());
    assert.match(files!, /^\d+ of 44 files$/);
    assert.match(data!, /^[\d.,]+ (MB|GB) of 69 GB$/);
    assert.match(speed!, /^[\d.,]+ (KB|MB|GB)\/s$/);
    assert.match(left!, /^\d+ (s|min)|^\d+ h \d+ min$/);
    await screens('dashboard-progress', card);
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await card.getByRole('status').filter({ hasText: /^The backup was cancelled/ }).waitFor({ timeout: 30_000 });
    await card.getByRole('button', { name: 'Back up Documents now' }).waitFor();
    assert.equal(await card.getByRole('button', { name: 'Back up Documents now' }).isEnabled(), true);
  } finally {
    fs.rmSync(sparse, { force: true });
  }
  assert.equal((JSON.parse(resticOk(repoDir, ['snapshots', '--json'], { password: PASSWORD })) as unknown[]).length, 2, 'a cancelled backup leaves no snapshot');

  // A second plan skips the welcome page: it starts at the storage step, and Cancel there goes
  // back to the dashboard with the existing plan untouched.
  await page.getByRole('button', { name: 'New backup plan…' }).click();
  await page.getByRole('heading', { level: 1, name: 'Where to store backups' }).waitFor();
  assert.equal((await page.locator('.count').innerText()).trim(), 'New backup plan · Step 1 of 7');
  assert.equal(await page.getByRole('navigation', { name: 'Set-up steps' }).getByText('Welcome').count(), 0);
  await screens('second-plan-storage');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await card.getByRole('button', { name: 'Back up Documents now' }).waitFor();
}
