// The Settings screens end to end: a real `cairn serve` and Debian's Chromium (headless, through
// playwright-core), with a repository made by the CLI. In the UI it edits a plan (rename, a second
// folder, an exclude preset and a pattern, a bad then a good cron expression with its next runs)
// and saves it (checked through the API and the scheduler), tests the repository's connection,
// fails to change the password with a wrong current one, changes it (checked with restic: the new
// password opens the repository, the old one does not), adds a key for someone else and removes
// it again through the confirmation dialog, forgets the saved password (the dashboard asks for it,
// refuses a wrong one, unlocks for the session) and saves it again, switches a notification off, sees start at login
// disabled with the reason, and deletes the plan (cancelled by Escape first) while the snapshots
// stay. Screens are saved at 1440x900 (light and dark) and 800x600 under test-artifacts/settings/,
// and the text on them is checked for WCAG AA contrast in both colour schemes.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { assertContrast, launchChromium, requireBrowserAndUi, screenshotter, serveApi, startServe, stopAll } from '../helpers/e2e.ts';
import { HistoryStore } from '../../src-main/jobs/history.ts';
import { PASSWORD_FILE } from '../../src-main/secrets/index.ts';
import { cairnOk, restic, ROOT, tmpDir } from '../helpers/tools.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'settings');
const PASSWORD = 'cairn settings e2e 51c2';
const NEW_PASSWORD = 'a brand new passphrase 8d1e';
const FAMILY_PASSWORD = 'family member phrase 77a0';
const EARLIER_JOBS = 64;

let server: ChildProcess;
let context: BrowserContext;
let page: Page;
let url: string;
let repoId: string;
let planId: string;
const work = tmpDir('e2e-settings');
const dataDir = path.join(work, 'data');
const otherDir = path.join(work, 'more');
const repoDir = path.join(work, 'repo');

const api = serveApi(() => url);

const screens = screenshotter(ARTIFACTS, () => page);

async function checkContrast(where: string): Promise<void> {
  await assertContrast(page, where);
}

const opens = (password: string) => restic(repoDir, ['snapshots', '--json'], { password }).code === 0;

before(async () => {
  requireBrowserAndUi();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(otherDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'notes.txt'), 'some notes\n'.repeat(50));
  fs.writeFileSync(path.join(otherDir, 'photo.jpg'), Buffer.alloc(12_000, 5));
  cairnOk(['-r', repoDir, 'init'], { password: PASSWORD });
  cairnOk(['-r', repoDir, 'backup', dataDir], { password: PASSWORD });

  ({ server, url } = await startServe(work));
  repoId = (await api('POST', '/api/repositories', { name: 'USB disk', location: repoDir, password: PASSWORD })).id;
  planId = (await api('POST', '/api/plans', { name: 'Documents', repositoryId: repoId, sources: [dataDir], schedule: { kind: 'cron', expression: '0 3 * * *' } })).id;
  // More earlier runs than one page of the job history shows, written through the real history
  // store before anything has read that file.
  const earlier = new HistoryStore(path.join(work, 'config', 'history'), { now: Date.now, onProblem: (m) => assert.fail(m) });
  for (let n = 1; n <= EARLIER_JOBS; n++) {
    const at = Date.UTC(2026, 0, 1) + n * 3_600_000;
    await earlier.append(`repo-${repoId}`, { id: `earlier-${n}`, request: { kind: 'check', repositoryId: repoId }, repositoryIds: [repoId], state: 'succeeded', queuedAt: at, startedAt: at, finishedAt: at + 60_000 });
  }
  ({ context, page } = await launchChromium(work));
});

after(() => stopAll(context, server, work));

test('edit a plan, test the connection, change the password, add and remove a key, notifications, delete the plan', async () => {
  await page.goto(url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  await editPlan();
  await repository();
  await savedPassword();
  await jobHistory();
  await preferences();
  await deletePlan();
});

async function editPlan(): Promise<void> {
  // The plan's card (its form is named after the plan, which is renamed below).
  const form = page.getByRole('region', { name: 'Plan', exact: true });
  await form.getByRole('form', { name: 'Settings of plan Documents' }).waitFor();
  await form.getByText(/^About .* in 1 file/).waitFor();
  assert.equal(await form.getByRole('radio', { name: 'Every day' }).isChecked(), true, 'the saved schedule is shown as "every day at"');
  assert.equal(await form.getByLabel('Time of the daily backup').inputValue(), '03:00');
  await screens('plan');

  await form.getByRole('textbox', { name: 'Name' }).fill('Papers');
  await form.getByRole('button', { name: 'Add another folder' }).click();
  await form.getByRole('textbox', { name: 'Folder to back up 2' }).fill(otherDir);
  await form.getByRole('checkbox', { name: /^Trash/ }).check();
  await form.getByRole('button', { name: 'Add a pattern' }).click();
  await form.getByRole('textbox', { name: 'Exclude pattern 1' }).fill('*.tmp');
  await form.getByText(/^About .* in 2 files/).waitFor();

  // Daily at a time shows when it runs next.
  await form.getByRole('radio', { name: 'Every day' }).check();
  await form.getByLabel('Time of the daily backup').fill('02:30');
  await form.getByText(/^Next runs: /).waitFor();

  // A bad cron expression is refused in words, and Save waits for a good one.
  await form.getByRole('radio', { name: 'On a custom schedule (cron)' }).check();
  await form.getByRole('textbox', { name: 'Cron expression' }).fill('61 * * * *');
  await form.getByText(/^not a valid cron expression/).waitFor();
  assert.equal(await form.getByRole('button', { name: 'Save plan' }).isDisabled(), true);
  await screens('plan-cron-invalid', form.getByRole('textbox', { name: 'Cron expression' }));
  await checkContrast('the plan editor with an error');
  await form.getByRole('textbox', { name: 'Cron expression' }).fill('0 */6 * * *');
  await form.getByText(/^Next runs: /).waitFor();
  await form.getByRole('button', { name: 'Save plan' }).click();
  await form.getByText(/^Saved\. Next backup: /).waitFor();
  await screens('plan-saved', form.getByRole('button', { name: 'Save plan' }));

  const saved = (await api('GET', '/api/profiles')).plans.find((p: { id: string }) => p.id === planId);
  assert.equal(saved.name, 'Papers');
  assert.deepEqual(saved.sources, [dataDir, otherDir]);
  assert.deepEqual(saved.excludes, ['*.tmp']);
  assert.ok(saved.excludePresets.includes('trash'));
  assert.deepEqual(saved.schedule, { kind: 'cron', expression: '0 */6 * * *' });
  const next = (await api('GET', '/api/scheduler')).plans.find((p: { planId: string }) => p.planId === planId).nextRun;
  assert.equal(new Date(next).getMinutes(), 0, 'the scheduler runs the new schedule');
  assert.equal(new Date(next).getHours() % 6, 0);
}

async function repository(): Promise<void> {
  const region = page.getByRole('region', { name: 'Repository', exact: true });
  await region.getByRole('button', { name: 'Test connection' }).click();
  await region.getByText('Connected. The saved password opens the repository.').waitFor();
  await region.getByRole('list', { name: 'Keys' }).getByText('used by Cairn').waitFor();
  await screens('repository', region.getByRole('button', { name: 'Test connection' }));

  // A wrong current password: refused, nothing changed.
  const change = region.getByRole('form', { name: 'Change password' });
  await change.getByLabel('Current password').fill('not the password');
  await change.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await change.getByLabel('New password again').fill(NEW_PASSWORD);
  await change.getByRole('meter', { name: 'Password strength' }).waitFor();
  await change.getByRole('button', { name: 'Change password' }).click();
  await change.getByRole('alert').filter({ hasText: 'The password was not changed.' }).waitFor();
  await change.getByRole('alert').filter({ hasText: /current password of "USB disk" is not right/ }).waitFor();
  assert.ok(opens(PASSWORD), 'a refused change leaves the repository as it was');
  await screens('password-wrong', change.getByRole('button', { name: 'Change password' }));
  await checkContrast('the repository settings with an error');

  await change.getByLabel('Current password').fill(PASSWORD);
  await change.getByRole('button', { name: 'Change password' }).click();
  await change.getByText('Password changed.').waitFor({ timeout: 60_000 });
  await change.getByText('The saved password was updated too.').waitFor();
  assert.ok(opens(NEW_PASSWORD), 'restic opens the repository with the new password');
  assert.ok(!opens(PASSWORD), 'and no longer with the old one');
  // The app keeps working: its saved password followed.
  await region.getByRole('button', { name: 'Test connection' }).click();
  await region.getByText('Connected. The saved password opens the repository.').waitFor();

  // A second key for someone else, then removed again after the confirmation.
  const add = region.getByRole('form', { name: 'Add a key' });
  await add.getByLabel('Password for the new key', { exact: true }).fill(FAMILY_PASSWORD);
  await add.getByLabel('Password for the new key again').fill(FAMILY_PASSWORD);
  await add.getByLabel('User name (optional)').fill('anna');
  await add.getByLabel('Computer name (optional)').fill('family-laptop');
  await add.getByRole('button', { name: 'Add key' }).click();
  await add.getByText(/^Key [0-9a-f]{8} added\./).waitFor({ timeout: 60_000 });
  const keys = region.getByRole('list', { name: 'Keys' });
  await keys.getByText('anna@family-laptop').waitFor();
  assert.equal(await keys.getByRole('listitem').count(), 2);
  assert.ok(opens(FAMILY_PASSWORD), 'restic opens the repository with the added password');
  assert.equal(await keys.getByRole('listitem').filter({ hasText: 'used by Cairn' }).getByRole('button').count(), 0, 'the key in use has no Remove button');

  await keys.getByRole('button', { name: /^Remove key [0-9a-f]{8} \(anna@family-laptop\)$/ }).click();
  const dialog = page.getByRole('dialog', { name: /^Remove key [0-9a-f]{8}\?$/ });
  await dialog.waitFor();
  assert.equal(await dialog.getByRole('button', { name: 'Cancel' }).evaluate((b) => b === document.activeElement), true, 'Cancel has the focus');
  await screens('remove-key-dialog');
  await checkContrast('the remove-key dialog');
  await dialog.getByRole('button', { name: 'Remove key' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await region.getByText(/^Key [0-9a-f]{8} removed\./).waitFor();
  assert.equal(await keys.getByRole('listitem').count(), 1);
  assert.ok(!opens(FAMILY_PASSWORD), 'the removed key\'s password no longer opens the repository');
}

async function savedPassword(): Promise<void> {
  // Forgotten in Settings: the dashboard card asks for it, refuses a wrong one, and takes the right
  // one for this session only (nothing written); Settings then saves it again.
  const secrets = () => fs.readFileSync(path.join(work, 'config', PASSWORD_FILE), 'utf8');
  const saved = page.getByRole('region', { name: 'Saved password' });
  const savedNote = saved.getByText('Saved in a file only your user can read: scheduled backups run without asking. It is never shown.', { exact: true });
  await savedNote.waitFor();
  await saved.getByRole('button', { name: 'Forget the saved password…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Forget the saved password of USB disk?' });
  await dialog.getByRole('button', { name: 'Forget the password' }).click();
  await saved.getByText('Cairn does not know the password').waitFor();
  assert.doesNotMatch(secrets(), new RegExp(NEW_PASSWORD), 'the password is gone from the password file');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  const card = page.getByRole('article', { name: 'Papers' });
  await card.getByText('Password needed').waitFor();
  assert.equal(await card.getByRole('button', { name: 'Back up Papers now' }).isDisabled(), true);
  const unlock = card.getByRole('form', { name: 'Unlock USB disk' });
  await unlock.getByLabel('Password of USB disk').fill('not the password');
  await unlock.getByRole('button', { name: 'Unlock' }).click();
  await unlock.getByRole('alert').filter({ hasText: 'This password does not open the repository.' }).waitFor();
  await screens('dashboard-password-needed', card);
  assert.equal(await unlock.getByRole('checkbox', { name: 'Remember it on this computer' }).isChecked(), false);
  await unlock.getByLabel('Password of USB disk').fill(NEW_PASSWORD);
  await unlock.getByRole('button', { name: 'Unlock' }).click();
  await unlock.waitFor({ state: 'detached' });
  assert.equal(await card.getByRole('button', { name: 'Back up Papers now' }).isEnabled(), true);
  const repo = (await api('GET', '/api/profiles')).repositories[0];
  assert.deepEqual([repo.hasPassword, repo.passwordSaved], [true, false]);
  assert.doesNotMatch(secrets(), new RegExp(NEW_PASSWORD), 'unlocked for the session only: nothing written');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await saved.getByText('Not saved: Cairn keeps it only while it runs').waitFor();
  await saved.getByLabel('Password of USB disk').fill(NEW_PASSWORD);
  await saved.getByRole('button', { name: 'Save the password' }).click();
  await savedNote.waitFor();
  await saved.getByRole('button', { name: 'Forget the saved password…' }).waitFor();
  assert.match(secrets(), new RegExp(NEW_PASSWORD));
}

async function jobHistory(): Promise<void> {
  // The newest 50 first; "Show older jobs" brings the rest, and then there is nothing more to show.
  const history = page.getByRole('list', { name: 'Job history' });
  const rows = history.locator(':scope > li');
  await page.getByRole('status').filter({ hasText: `50 jobs, older ones follow` }).waitFor();
  assert.equal(await rows.count(), 50);
  const older = page.getByRole('button', { name: 'Show older jobs' });
  await older.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: `${EARLIER_JOBS} jobs` }).waitFor();
  assert.equal(await rows.count(), EARLIER_JOBS);
  assert.equal(await older.count(), 0, 'no button once every job is shown');
  assert.equal(await rows.last().getByRole('button', { name: /^Log of Check,/ }).count(), 1, 'the oldest job is reachable');
  await screens('job-history-all', rows.last());
}

async function preferences(): Promise<void> {
  const region = page.getByRole('region', { name: 'Notifications and start at login' });
  const good = region.getByRole('checkbox', { name: /^Good news/ });
  await good.waitFor();
  assert.equal(await good.isChecked(), true);
  // By keyboard: focus the checkbox and toggle it with Space.
  await good.focus();
  await page.keyboard.press('Space');
  await region.getByText('Notification settings saved.').waitFor();
  assert.deepEqual((await api('GET', '/api/settings')).notifications, { success: false, failure: true, overdue: true });
  const login = region.getByRole('checkbox', { name: /^Start Cairn when I log in/ });
  assert.equal(await login.isDisabled(), true, 'cairn serve cannot start at login');
  await region.getByText(/Not available here\. Start at login is a setting of the desktop app/).waitFor();
  await screens('notifications', login);
  await checkContrast('the notification settings');
}

async function deletePlan(): Promise<void> {
  const form = page.getByRole('form', { name: 'Settings of plan Papers' });
  await form.waitFor();
  await form.getByRole('button', { name: 'Delete plan…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete the plan “Papers”?' });
  await dialog.waitFor();
  await dialog.getByText('The snapshots already made stay in USB disk').waitFor();
  await screens('delete-plan-dialog');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  assert.equal((await api('GET', '/api/profiles')).plans.length, 1, 'Escape deletes nothing');
  const snapshots = () => JSON.parse(restic(repoDir, ['snapshots', '--json'], { password: NEW_PASSWORD }).stdout).length;
  const before = snapshots();

  await form.getByRole('button', { name: 'Delete plan…' }).click();
  await dialog.getByRole('button', { name: 'Delete plan' }).click();
  await page.getByRole('region', { name: 'Plan', exact: true }).getByText('There is no backup plan yet.').waitFor();
  const profiles = await api('GET', '/api/profiles');
  assert.deepEqual(profiles.plans, []);
  assert.equal(profiles.repositories.length, 1, 'the repository stays');
  assert.equal(snapshots(), before, 'its snapshots stay');
  assert.ok(before >= 1);
  await screens('plan-deleted');
}
