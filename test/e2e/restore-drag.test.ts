// Dragging out, downloading, big folders and "Show in folder", end to end: a real `cairn serve`
// and Debian's Chromium (headless, through playwright-core) against a repository made with the
// CLI. Dragging a row sets Chromium's DownloadURL drag data (what saves the dropped file on the
// desktop); its URL is fetched and compared with the source. A folder downloads as a zip through
// the visible button (the keyboard path), unpacked with unzip and compared. In a folder of 30k
// entries the End key shows the last entries after one or two page requests. After a restore,
// "Show in folder" runs the file manager, here a recording script named by CAIRN_FILE_MANAGER
// (the OS boundary). The pause menu has its heading, and no request of the page 404s (favicon).
// Screens go to test-artifacts/restore-drag/ (1440x900 light and dark, 800x600).
/// <reference lib="dom" />
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { compareTrees } from '../helpers/compare.ts';
import { launchChromium, requireBrowserAndUi, screenshotter, serveApi, startServe, stopAll } from '../helpers/e2e.ts';
import { cairnOk, requireTool, ROOT, tmpDir } from '../helpers/tools.ts';

const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'restore-drag');
const PASSWORD = 'cairn drag e2e 51c2';
const BIG = 30_000;
const bigName = (i: number) => `entry-${String(i).padStart(6, '0')}`;

let server: ChildProcess;
let context: BrowserContext;
let page: Page;
let url: string;
const work = tmpDir('e2e-drag');
const dataDir = path.join(work, 'data');
const repoDir = path.join(work, 'repo');
const restoreDir = path.join(work, 'restored');
const opened = path.join(work, 'opened.txt');
const notFound: string[] = [];

function write(rel: string, content: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(dataDir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dataDir, rel), content);
}

const api = serveApi(() => url);

const screens = screenshotter(ARTIFACTS, () => page);

before(async () => {
  requireBrowserAndUi();
  requireTool('unzip', 'apt-get install -y unzip');
  fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });

  write('docs/notes.txt', 'notes to self\n'.repeat(40));
  write('docs/deep/report.txt', 'quarterly numbers\n'.repeat(400));
  write('photos/beach.jpg', Buffer.alloc(300_000, 9));
  fs.mkdirSync(path.join(dataDir, 'big'));
  for (let i = 0; i < BIG; i++) fs.writeFileSync(path.join(dataDir, 'big', bigName(i)), '');
  cairnOk(['-r', repoDir, 'init'], { password: PASSWORD });
  cairnOk(['-r', repoDir, 'backup', dataDir], { password: PASSWORD });

  const opener = path.join(work, 'file-manager.sh');
  fs.writeFileSync(opener, `#!/bin/sh\nprintf '%s\\n' "$@" >> '${opened}'\n`, { mode: 0o755 });
  ({ server, url } = await startServe(work, { CAIRN_FILE_MANAGER: opener }));
  const repo = await api('POST', '/api/repositories', { name: 'Home backup', location: repoDir, password: PASSWORD });
  await api('POST', '/api/plans', { name: 'Documents', repositoryId: repo.id, sources: [dataDir], schedule: { kind: 'manual' } });

  ({ context, page } = await launchChromium(work, { acceptDownloads: true }));
  page.on('response', (r) => { if (r.status() === 404) notFound.push(r.url()); });
});

after(() => stopAll(context, server, work));

const grid = () => page.getByRole('grid', { name: /^Files in / });
const atFolder = (name: string) => page.waitForFunction((p) => document.querySelector('nav[aria-label="Folder path"] [aria-current="location"]')?.textContent === p, name);

test('drag out, folder zip, a far jump in a big folder, show in folder, and the pause menu', async () => {
  try {
    await flow();
  } catch (err) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'failure.png') }).catch(() => {});
    throw err;
  }
});

async function flow(): Promise<void> {
  await page.goto(url);
  await page.getByRole('heading', { level: 1, name: 'Backups' }).waitFor();
  await page.getByRole('article', { name: 'Documents' }).waitFor();

  // The pause menu says what it pauses before offering durations.
  await page.getByRole('button', { name: 'Pause schedules…' }).click();
  const menu = page.getByRole('region', { name: 'Pause scheduled backups' });
  await menu.getByRole('heading', { name: 'Pause scheduled backups' }).waitFor();
  await menu.getByRole('group', { name: 'Pause scheduled backups' }).getByRole('button', { name: 'For 1 hour' }).waitFor();
  await screens('dashboard-pause-menu');
  await menu.getByRole('button', { name: 'Cancel' }).click();
  await menu.waitFor({ state: 'detached' });

  // The snapshot opens at its data folder, the one that was backed up.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Snapshots' }).click();
  await page.getByRole('table', { name: 'Snapshots' }).getByRole('button', { name: /^Browse snapshot / }).first().click();
  await grid().waitFor();
  await grid().focus();
  await atFolder(path.basename(dataDir));

  // Dragging rows: Chromium's DownloadURL data names the file and where to get it.
  const dragData = async (name: RegExp): Promise<string> => {
    const row = grid().getByRole('row', { name });
    assert.equal(await row.getAttribute('draggable'), 'true');
    const dt = await page.evaluateHandle(() => new DataTransfer());
    await row.dispatchEvent('dragstart', { dataTransfer: dt });
    return dt.evaluate((d) => d.getData('DownloadURL'));
  };
  const photos = await dragData(/^Select photos/);
  const m = /^application\/zip:photos\.zip:(http:\/\/127\.0\.0\.1:\d+\/api\/repositories\/[^/]+\/snapshots\/[0-9a-f]{64}\/zip\?path=.+)$/.exec(photos);
  assert.ok(m, photos);
  const zipped = await context.request.get(m[1]);
  assert.equal(zipped.status(), 200);
  assert.equal(zipped.headers()['content-type'], 'application/zip');
  await grid().getByRole('row', { name: /^Select docs/ }).click();
  await atFolder('docs');
  const notes = await dragData(/^Select notes\.txt/);
  const n = /^application\/octet-stream:notes\.txt:(http:\/\/.+\/file\?path=.+)$/.exec(notes);
  assert.ok(n, notes);
  const file = await context.request.get(n[1]);
  assert.ok(Buffer.from(await file.body()).equals(fs.readFileSync(path.join(dataDir, 'docs', 'notes.txt'))), 'the dragged URL serves the exact bytes');

  // The keyboard path for a folder: the visible button downloads the open folder as a zip.
  const button = page.getByRole('link', { name: 'Download folder as zip' });
  await screens('browse-docs-download');
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  assert.equal(download.suggestedFilename(), 'docs.zip');
  const unpacked = path.join(work, 'unzipped');
  const unzip = spawnSync('unzip', ['-q', await download.path(), '-d', unpacked], { encoding: 'utf8' });
  assert.equal(unzip.status, 0, unzip.stderr);
  assert.deepEqual(compareTrees(path.join(dataDir, 'docs'), unpacked, { checkTimes: false }), []);

  // A folder of 30k entries: End jumps to its last entry with one or two page requests.
  await page.getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'data', exact: true }).click();
  await atFolder('data');
  await grid().getByRole('row', { name: /^Select big/ }).click();
  await atFolder('big');
  await grid().getByRole('row', { name: new RegExp(`^Select ${bigName(0)}`) }).waitFor();
  await page.getByText(`${BIG.toLocaleString('en-US')} entries`).waitFor();
  const treeRequests: string[] = [];
  const onRequest = (r: { url(): string }) => { if (r.url().includes('/tree?')) treeRequests.push(r.url()); };
  page.on('request', onRequest);
  await grid().focus();
  const t0 = Date.now();
  await page.keyboard.press('End');
  await grid().getByRole('row', { name: new RegExp(`^Select ${bigName(BIG - 1)}`) }).waitFor();
  const ms = Date.now() - t0;
  console.log(`# End in a ${BIG}-entry folder: ${treeRequests.length} page request(s), ${ms} ms`);
  assert.ok(treeRequests.length >= 1 && treeRequests.length <= 2, `one or two page requests, not ${treeRequests.length}: ${treeRequests.join('\n')}`);
  assert.ok(treeRequests.every((u) => /[?&]offset=\d+/.test(u)), 'pages asked for by offset');
  assert.ok(ms < 5000, `the last entries show in ${ms} ms`);
  // The scrollbar dragged to the middle: only the pages around where it stops.
  treeRequests.length = 0;
  await page.evaluate((top) => { const el = document.querySelector('[role="grid"] .scroller'); if (el) el.scrollTop = top; }, (BIG / 2) * 32);
  await grid().getByRole('row', { name: new RegExp(`^Select ${bigName(BIG / 2)}`) }).waitFor();
  page.off('request', onRequest);
  assert.ok(treeRequests.length >= 1 && treeRequests.length <= 2, `a jump to the middle: ${treeRequests.length} page requests`);
  await screens('browse-big-end');

  // Restore the docs folder, then show it in the file manager.
  await page.getByRole('navigation', { name: 'Folder path' }).getByRole('button', { name: 'data', exact: true }).click();
  await atFolder('data');
  await grid().getByRole('checkbox', { name: 'Select docs' }).click();
  await page.getByRole('button', { name: 'Restore selected…' }).click();
  const restore = page.getByRole('region', { name: 'Restore' });
  await restore.getByRole('radio', { name: 'Another folder' }).check();
  await restore.getByRole('textbox', { name: 'Folder to restore into' }).fill(restoreDir);
  await restore.getByRole('button', { name: 'Start restore' }).click();
  await restore.getByText('Restore finished.').waitFor({ timeout: 60_000 });
  const landed = path.join(restoreDir, dataDir, 'docs');
  assert.deepEqual(compareTrees(path.join(dataDir, 'docs'), landed), []);
  await restore.getByRole('button', { name: 'Show in folder: docs' }).click();
  await restore.getByText(`Opened ${landed} in the file manager.`).waitFor();
  for (let i = 0; i < 50 && !fs.existsSync(opened); i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(fs.readFileSync(opened, 'utf8').split('\n').filter(Boolean), [landed], 'the file manager was asked for the restored folder, nothing else');
  await screens('restore-show-in-folder', restore);

  assert.deepEqual(notFound, [], 'no request of the page got a 404 (the favicon is served)');
}
