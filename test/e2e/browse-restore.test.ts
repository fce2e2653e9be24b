// Browsing and restoring end to end: a real `cairn serve` and Debian's Chromium (headless, through
// playwright-core), against a repository made with the CLI: two snapshots of a small folder, the
// second with a changed file and a new folder. In the UI it filters the snapshot list, browses the tree (by keyboard too),
// opens a file's details and its version timeline (comparing the two versions line by line and
// restoring the older one), downloads the file, searches by name, compares
// the snapshots, restores a file and a folder into another folder (bytes compared with the source)
// and a deleted file to its original place,
// meets "keep existing files" refusing with the conflict listed and "replace all" listing what it
// replaces before it does, previews a retention change in Settings, previews forget and prune and
// runs it after the confirmation, runs a check and reads the job history and a log. Screens are saved at 1440x900 (light
// and dark) and 800x600 under test-artifacts/browse/, each checked for content wider than the window.
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { launchChromium, requireBrowserAndUi, screenshotter, serveApi, startServe, stopAll } from '../helpers/e2e.ts';
import { compareTrees } from '../helpers/compare.ts';
import { cairnOk, ROOT, tmpDir } from '../helpers/tools.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'browse');
const PASSWORD = 'cairn browse e2e 7f3a';

let server: ChildProcess;
let context: BrowserContext;
let page: Page;
let url: string;
const work = tmpDir('e2e-browse');
const dataDir = path.join(work, 'data');
const repoDir = path.join(work, 'repo');
const restoreDir = path.join(work, 'restored');

function write(rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dataDir, rel), content);
}

const api = serveApi(() => url);

const screens = screenshotter(ARTIFACTS, () => page);

let snapshotIds: string[] = [];
let repoId = '';

before(async () => {
  requireBrowserAndUi();
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  write('docs/notes.txt', 'first draft\n'.repeat(20));
  write('docs/report.txt', 'quarterly numbers\n'.repeat(40));
  write('photos/beach.jpg', Buffer.alloc(20_000, 7));
  cairnOk(['-r', repoDir, 'init'], { password: PASSWORD });
  cairnOk(['-r', repoDir, 'backup', dataDir, '--tag', 'before-trip'], { password: PASSWORD });
  write('docs/notes.txt', 'second draft, longer\n'.repeat(30));
  write('music/song.mp3', Buffer.alloc(30_000, 3));
  write('music/lyrics/verse.txt', 'la la la\n');
  cairnOk(['-r', repoDir, 'backup', dataDir], { password: PASSWORD });

  ({ server, url } = await startServe(work));
  const repo = await api('POST', '/api/repositories', { name: 'Home backup', location: repoDir, password: PASSWORD });
  await api('POST', '/api/plans', { name: 'Documents', repositoryId: repo.id, sources: [dataDir], schedule: { kind: 'manual' }, retention: { keepLast: 5 } });
  repoId = repo.id;
  snapshotIds = (await api('GET', `/api/repositories/${repo.id}/snapshots`)).snapshots.map((s: { id: string }) => s.id);
  assert.equal(snapshotIds.length, 2);

  ({ context, page } = await launchChromium(work, { acceptDownloads: true }));
});

after(() => stopAll(context, server, work));

test('browse, search, compare, version timeline, restore with conflicts, retention preview, check and job history', async () => {
  try {
    await browseAndRestore();
    await settings();
  } catch (err) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'failure.png') }).catch(() => {});
    throw err;
  }
});

const heading = (name: string) => page.getByRole('heading', { level: 1, name });
const grid = () => page.getByRole('grid', { name: /^Files in / });
const crumb = () => page.getByRole('navigation', { name: 'Folder path' }).locator('[aria-current="location"]');

async function browseAndRestore(): Promise<void> {
  await page.goto(url);
  await heading('Backups').waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Snapshots' }).click();
  await heading('Snapshots').waitFor();
  const table = page.getByRole('table', { name: 'Snapshots' });
  await table.getByRole('button', { name: /^Browse snapshot / }).first().waitFor();
  assert.equal(await table.getByRole('button', { name: /^Browse snapshot / }).count(), 2);
  await screens('snapshots');

  // Filters: by tag (only the first snapshot has one), by a date range that holds nothing, cleared.
  const filters = page.getByRole('group', { name: 'Filter snapshots' });
  await filters.getByRole('combobox', { name: 'Tag' }).selectOption('before-trip');
  await table.getByRole('button', { name: `Browse snapshot ${snapshotIds[0].slice(0, 8)}` }).waitFor();
  assert.equal(await table.getByRole('button', { name: /^Browse snapshot / }).count(), 1);
  await filters.getByRole('combobox', { name: 'Tag' }).selectOption('');
  await filters.getByLabel('From').fill('2000-01-01');
  await filters.getByLabel('To').fill('2000-12-31');
  await table.getByText('No snapshot matches the filters.').waitFor();
  await filters.getByRole('button', { name: 'Clear filters' }).click();
  await table.getByRole('button', { name: /^Browse snapshot / }).nth(1).waitFor();

  // The newest snapshot opens at the folder that was backed up (not at the snapshot's root).
  await table.getByRole('button', { name: `Browse snapshot ${snapshotIds[1].slice(0, 8)}` }).click();
  await grid().waitFor();
  await grid().focus();
  await page.waitForFunction((p) => document.querySelector('nav[aria-label="Folder path"] [aria-current="location"]')?.textContent === p, path.basename(dataDir));
  // docs, music, photos: down to music and select it with Space; then open docs with Enter.
  await grid().getByRole('row', { name: /music/ }).waitFor();
  assert.equal(await grid().getByRole('row').count(), 4, 'the header row and three folders');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Space');
  assert.equal(await grid().getByRole('row', { name: /music/ }).getAttribute('aria-selected'), 'true');
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('nav[aria-label="Folder path"] [aria-current="location"]')?.textContent === 'docs');
  assert.equal(await crumb().textContent(), 'docs');

  // File details, with the owner and the mode. On a small window they open below the fold and
  // are scrolled into view, or the click would seem to do nothing.
  await page.setViewportSize({ width: 800, height: 600 });
  await grid().getByRole('row', { name: /notes\.txt/ }).click();
  const details = page.getByRole('region', { name: 'Details of notes.txt' });
  await details.waitFor();
  await page.waitForFunction((el) => el !== null && el.getBoundingClientRect().bottom <= innerHeight + 1, await details.elementHandle());
  const size = fs.statSync(path.join(dataDir, 'docs', 'notes.txt')).size;
  await details.getByText(`${size} bytes`).waitFor();
  await details.getByText('-rw-').waitFor();
  assert.match(await details.textContent() ?? '', new RegExp(`uid ${process.getuid?.()}`));
  await screens('browse-details');

  // Download (the browser's drag-to-restore): the exact bytes, under the file's name.
  const [download] = await Promise.all([page.waitForEvent('download'), details.getByRole('link', { name: 'Download' }).click()]);
  assert.equal(download.suggestedFilename(), 'notes.txt');
  assert.ok(fs.readFileSync(await download.path()).equals(fs.readFileSync(path.join(dataDir, 'docs', 'notes.txt'))));

  // The version timeline, newest first: the change, then the first version.
  await details.getByRole('button', { name: 'Version history' }).click();
  const versions = page.getByRole('region', { name: 'Versions of notes.txt' });
  const items = versions.getByRole('list', { name: 'Versions' }).getByRole('listitem');
  await items.nth(1).waitFor();
  assert.equal(await items.count(), 2);
  assert.match(await items.nth(0).getAttribute('aria-label') ?? '', /Changed$/);
  assert.match(await items.nth(1).getAttribute('aria-label') ?? '', /First version$/);

  // Compare the change with the version before it: the lines that went and came, with numbers.
  await items.nth(0).getByRole('button', { name: /^Compare the version of .* with the one before$/ }).click();
  const compare = versions.getByRole('region', { name: 'Compare two versions' });
  await compare.getByRole('status').filter({ hasText: '30 lines added, 20 removed.' }).waitFor();
  const rows = compare.getByRole('row');
  assert.match(await rows.filter({ hasText: 'first draft' }).first().innerText(), /removed\s*1\s*first draft/);
  assert.match(await rows.filter({ hasText: 'second draft, longer' }).nth(29).innerText(), /added\s*30\s*second draft, longer/);
  assert.equal(await compare.getByRole('combobox', { name: 'Older' }).inputValue(), snapshotIds[0]);
  await screens('versions-compare', compare);
  await compare.getByRole('button', { name: 'Close comparison' }).click();
  await screens('versions', versions);

  // Restore the first version from the timeline: the old bytes come back.
  const oldDir = path.join(work, 'old-version');
  await items.nth(1).getByRole('button', { name: /^Restore the version of / }).click();
  const restoreOld = page.getByRole('region', { name: 'Restore' });
  await restoreOld.getByRole('textbox', { name: 'Folder to restore into' }).fill(oldDir);
  await restoreOld.getByRole('button', { name: 'Start restore' }).click();
  await restoreOld.getByText('Restore finished.').waitFor({ timeout: 60_000 });
  assert.equal(fs.readFileSync(path.join(oldDir, dataDir, 'docs', 'notes.txt'), 'utf8'), 'first draft\n'.repeat(20));
  await restoreOld.getByRole('button', { name: 'Close restore' }).click();
  await versions.getByRole('button', { name: 'Close versions' }).click();

  // Restore notes.txt and the music folder into another folder.
  await grid().getByRole('checkbox', { name: 'Select notes.txt' }).click();
  await page.getByRole('group', { name: 'Selection' }).getByText('2 selected').waitFor();
  await page.getByRole('button', { name: 'Restore selected…' }).click();
  const restore = page.getByRole('region', { name: 'Restore' });
  await restore.getByRole('radio', { name: 'Another folder' }).check();
  await restore.getByRole('textbox', { name: 'Folder to restore into' }).fill(restoreDir);
  assert.ok(await restore.getByRole('radio', { name: /Keep existing files/ }).isChecked(), '"never" is the default');
  await restore.getByRole('button', { name: 'Start restore' }).click();
  await restore.getByText('Restore finished.').waitFor({ timeout: 60_000 });
  await restore.getByText(path.join(restoreDir, dataDir, 'music')).waitFor();
  const landed = path.join(restoreDir, dataDir);
  assert.deepEqual(compareTrees(path.join(dataDir, 'music'), path.join(landed, 'music')), []);
  assert.ok(fs.readFileSync(path.join(landed, 'docs', 'notes.txt')).equals(fs.readFileSync(path.join(dataDir, 'docs', 'notes.txt'))));
  assert.deepEqual(fs.readdirSync(path.join(landed, 'docs')), ['notes.txt'], 'only the chosen file of docs');
  await screens('restore-done', restore);

  // The same restore again with "keep existing files": refused before writing, conflicts listed.
  fs.writeFileSync(path.join(landed, 'docs', 'notes.txt'), 'edited since the restore\n');
  await restore.getByRole('button', { name: 'Restore again…' }).click();
  await restore.getByRole('radio', { name: 'Another folder' }).check();
  // The folder picker, by keyboard: it opens at the nearest folder of the typed path that exists,
  // with the focus on "Choose this folder", so Enter takes it.
  const target = restore.getByRole('textbox', { name: 'Folder to restore into' });
  await target.fill(path.join(restoreDir, 'not-yet', 'deeper'));
  await restore.getByRole('button', { name: 'Choose the folder to restore into' }).click();
  const picker = page.getByRole('dialog', { name: 'Choose where to restore' });
  await picker.getByRole('list', { name: `Folders in ${restoreDir}` }).getByRole('button', { name: 'tmp', exact: true }).waitFor();
  assert.equal(await picker.getByRole('button', { name: 'Choose this folder' }).evaluate((b) => b === document.activeElement), true);
  await page.keyboard.press('Enter');
  await picker.waitFor({ state: 'hidden' });
  assert.equal(await target.inputValue(), restoreDir);
  await restore.getByRole('button', { name: 'Start restore' }).click();
  const conflicts = restore.getByRole('list', { name: 'Conflicts' });
  await conflicts.getByText(path.join(landed, 'docs', 'notes.txt'), { exact: true }).waitFor();
  await restore.getByText('Nothing was restored:').waitFor();
  assert.equal(fs.readFileSync(path.join(landed, 'docs', 'notes.txt'), 'utf8'), 'edited since the restore\n', 'the existing file is untouched');
  await screens('restore-conflict', restore);

  // "Replace all": the dry run lists what would be replaced and nothing is written until
  // "Replace and restore"; then the edited file gets the snapshot's bytes back.
  await restore.getByRole('radio', { name: /Replace all/ }).check();
  await restore.getByText('Nothing was restored:').waitFor({ state: 'detached' });
  await restore.getByRole('button', { name: 'Start restore' }).click();
  const replaced = restore.getByRole('alert', { name: 'Files that would be replaced' });
  await replaced.getByRole('list', { name: 'Existing paths' }).getByText(path.join(landed, 'docs', 'notes.txt'), { exact: true }).waitFor();
  assert.match(await replaced.innerText(), /3 paths already exist[\s\S]*Replace all writes each of them again[\s\S]*writes 3 files/);
  assert.equal(fs.readFileSync(path.join(landed, 'docs', 'notes.txt'), 'utf8'), 'edited since the restore\n', 'nothing is replaced before the confirmation');
  await screens('restore-replace-preview', restore);
  await restore.getByRole('button', { name: 'Replace and restore' }).click();
  await restore.getByText('Restore finished.').waitFor({ timeout: 60_000 });
  assert.ok(fs.readFileSync(path.join(landed, 'docs', 'notes.txt')).equals(fs.readFileSync(path.join(dataDir, 'docs', 'notes.txt'))), 'the confirmed restore replaced the edited file');
  await restore.getByRole('button', { name: 'Close restore' }).click();

  // Restore to the original place: a deleted file comes back where it was, with its bytes.
  const report = path.join(dataDir, 'docs', 'report.txt');
  const reportBytes = fs.readFileSync(report);
  fs.rmSync(report);
  await grid().getByRole('row', { name: /report\.txt/ }).click();
  await page.getByRole('region', { name: 'Details of report.txt' }).getByRole('button', { name: 'Restore report.txt…' }).click();
  const back = page.getByRole('region', { name: 'Restore' });
  await back.getByRole('radio', { name: 'The original place' }).check();
  await back.getByRole('button', { name: 'Start restore' }).click();
  await back.getByText('Restore finished.').waitFor({ timeout: 60_000 });
  await back.getByRole('button', { name: 'Show in folder: report.txt' }).waitFor();
  assert.ok(fs.readFileSync(report).equals(reportBytes), 'the file is back in its original place');

  // Search across snapshots: the new song is only in the second one. The restore panel belongs to
  // browsing: hidden under Search, back with its result on returning to the tree.
  await page.getByRole('tab', { name: 'Search' }).click();
  assert.equal(await page.getByRole('region', { name: 'Restore' }).count(), 0, 'no restore panel under Search');
  await page.getByRole('textbox', { name: 'File or folder name' }).fill('song.mp3');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  const hits = page.getByRole('list', { name: 'Search results' });
  await hits.getByRole('listitem').first().waitFor();
  assert.equal(await hits.getByRole('listitem').count(), 1);
  await hits.getByText(path.join(dataDir, 'music', 'song.mp3')).waitFor();
  await screens('search');
  await hits.getByRole('button', { name: 'Show in snapshot' }).click();
  await grid().getByRole('row', { name: /song\.mp3/ }).waitFor();
  await back.getByText('Restore finished.').waitFor();
  await back.getByRole('button', { name: 'Close restore' }).click();

  // Compare the two snapshots: the changed file and the new folder.
  await page.getByRole('tab', { name: 'Compare' }).click();
  await page.getByRole('button', { name: 'Compare', exact: true }).click();
  const changes = page.getByRole('list', { name: 'Changes' });
  await changes.waitFor();
  // Each item is the kind of change followed by the path.
  const text = (await changes.getByRole('listitem').allTextContents()).map((l) => l.trim());
  assert.ok(text.some((l) => l.startsWith('Modified') && l.endsWith(path.join(dataDir, 'docs', 'notes.txt'))), text.join('\n'));
  assert.ok(text.some((l) => l.startsWith('Added') && l.includes(path.join(dataDir, 'music'))), text.join('\n'));
  await page.getByRole('definition').filter({ hasText: /^2 files, 2 folders/ }).waitFor();
  await screens('compare');
}

async function settings(): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await heading('Settings').waitFor();
  const preview = page.getByRole('region', { name: 'Retention preview' });
  await preview.getByText('Would keep 2 and remove 0.').waitFor();
  // No rule at all: said in words, without the engine's empty "keep" policy line after it.
  await page.getByRole('textbox', { name: 'Latest snapshots' }).fill('');
  const noRule = preview.getByText('No rule: every snapshot is kept.');
  await noRule.waitFor();
  assert.equal((await noRule.locator('xpath=..').innerText()).trim(), 'No rule: every snapshot is kept.');
  await page.getByRole('textbox', { name: 'Latest snapshots' }).fill('1');
  await preview.getByText('Would keep 1 and remove 1.').waitFor();
  await preview.getByText(/last snapshot/).first().waitFor();
  await screens('settings-retention');

  // The new rule saved, forget and prune previewed in words (nothing removed), then run after the
  // confirmation, which repeats what the preview found.
  await page.getByRole('button', { name: 'Save retention' }).click();
  await page.getByText('Saved. The next forget and prune uses these rules.').waitFor();
  const maintenance = page.getByRole('region', { name: 'Maintenance' });
  await maintenance.getByRole('button', { name: 'Preview forget and prune' }).click();
  const wouldSay = 'Would remove 1 snapshot and keep 1; pruning would then free';
  const previewed = maintenance.getByRole('status').filter({ hasText: wouldSay });
  await previewed.waitFor({ timeout: 60_000 });
  const wouldFree = /would then free (.+?) \((\d+) pack/.exec(await previewed.innerText());
  assert.equal((await api('GET', `/api/repositories/${repoId}/snapshots`)).snapshots.length, 2, 'the preview removes nothing');
  await maintenance.getByRole('button', { name: 'Forget and prune now…' }).click();
  const confirmPrune = page.getByRole('dialog', { name: 'Forget and prune “Documents” now?' });
  await confirmPrune.getByText(`The preview found: ${wouldSay}`).waitFor();
  await screens('prune-confirm');
  await confirmPrune.getByRole('button', { name: 'Forget and prune', exact: true }).click();
  const done = maintenance.getByRole('status').filter({ hasText: /Removed 1 snapshot and kept 1; pruning freed / });
  await done.waitFor({ timeout: 60_000 });
  // The preview counted the forgotten snapshot as gone: it predicted what the real run freed.
  const freed = /pruning freed (.+?) \((\d+) pack/.exec(await done.innerText());
  assert.ok(wouldFree && freed && Number(freed[2]) > 0, `${wouldFree} / ${freed}`);
  assert.deepEqual(wouldFree.slice(1), freed.slice(1));
  const left = (await api('GET', `/api/repositories/${repoId}/snapshots`)).snapshots.map((s: { id: string }) => s.id);
  assert.deepEqual(left, [snapshotIds[1]], 'the newest snapshot is the one kept');
  await screens('prune-done', done);

  await page.getByRole('combobox', { name: 'Check reads' }).selectOption({ label: 'Structure and all data (slow)' });
  await page.getByRole('button', { name: 'Run check' }).click();
  // Progress while it runs (the job panel and its bar), then the result.
  await page.getByText('Check finished.').or(page.getByRole('progressbar', { name: 'Check progress' })).first().waitFor();
  await page.getByText('Check finished.').waitFor({ timeout: 60_000 });

  const history = page.getByRole('list', { name: 'Job history' });
  await history.getByText('Check (reading 100%)').waitFor();
  assert.ok(await history.getByText(`Restore to ${restoreDir}`).count() >= 1, 'the restore is in the history');
  await history.getByRole('button', { name: /^Log of Check/ }).click();
  await page.getByRole('list', { name: 'Job log' }).getByRole('listitem').first().waitFor();
  await screens('settings-history', page.getByRole('list', { name: 'Job log' }));
}
