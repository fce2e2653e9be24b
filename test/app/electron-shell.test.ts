// The desktop shell's decisions, in plain Node (Electron itself cannot run here): which senders
// are served, which URLs open where, the CSP, the renderer files, the autostart entry, the tray
// menu template, the IPC envelope over the real API dispatcher, and drag-out's restore.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createApiContext } from '../../src-main/api/index.ts';
import { CairnError } from '../../src-worker/index.ts';
import { autostartFile, desktopEntry, execArg, linuxAutostartEnabled, setLinuxAutostart } from '../../src-main/electron/autostart.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../src-main/electron/channels.ts';
import { RENDERER_CSP } from '../../src-main/electron/csp.ts';
import type { DesktopHandlers } from '../../src-main/electron/desktop-ops.ts';
import { prepareDragOut } from '../../src-main/electron/drag-out.ts';
import { invoke } from '../../src-main/electron/invoke.ts';
import { navigateDecision, windowOpenDecision } from '../../src-main/electron/navigation.ts';
import { APP_ENTRY, isAppUrl, isTrustedSender } from '../../src-main/electron/origin.ts';
import { resolveRendererFile } from '../../src-main/electron/renderer-files.ts';
import { trayIconFile, trayMenuTemplate } from '../../src-main/electron/tray-menu.ts';
import { ProfilesService } from '../../src-main/profiles/index.ts';
import { trayModel, type TrayAction } from '../../src-main/tray/index.ts';
import { compareTrees } from '../helpers/compare.ts';
import { jobFixture, writeRandomFiles } from '../helpers/job-fixture.ts';
import { ROOT, tmpDir } from '../helpers/tools.ts';

test('only the app\'s own window, top frame, on the app\'s origin is a trusted IPC sender', () => {
  const ids = new Set([7]);
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: APP_ENTRY, isMainFrame: true }, ids), true);
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: 'cairn://app/snapshots/abc', isMainFrame: true }, ids), true);
  assert.equal(isTrustedSender({ webContentsId: 8, frameUrl: APP_ENTRY, isMainFrame: true }, ids), false, 'another window');
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: APP_ENTRY, isMainFrame: false }, ids), false, 'an iframe');
  assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: null, isMainFrame: true }, ids), false, 'a frame that is gone');
  for (const url of ['https://evil.example/', 'file:///home/me/x.html', 'cairn://other/index.html', 'cairn://user:pw@app/', 'cairnx://app/', 'not a url']) {
    assert.equal(isAppUrl(url), false, url);
    assert.equal(isTrustedSender({ webContentsId: 7, frameUrl: url, isMainFrame: true }, ids), false, url);
  }
});

test('new windows are never opened; web links go to the browser, other schemes nowhere; navigation stays in the app', () => {
  assert.deepEqual(windowOpenDecision('https://restic.net/'), { action: 'deny', openExternally: 'https://restic.net/' });
  assert.deepEqual(windowOpenDecision('mailto:help@example.org'), { action: 'deny', openExternally: 'mailto:help@example.org' });
  for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://nas/share', 'cairn://app/x', 'garbage']) {
    assert.deepEqual(windowOpenDecision(url), { action: 'deny', openExternally: null }, url);
  }
  assert.deepEqual(navigateDecision('cairn://app/settings'), { allow: true });
  assert.deepEqual(navigateDecision('https://github.com/restic/restic'), { allow: false, openExternally: 'https://github.com/restic/restic' });
  assert.deepEqual(navigateDecision('file:///tmp/x.html'), { allow: false, openExternally: null });
});

test('the renderer CSP allows only the app\'s own scripts and no network, plugins, framing or eval', () => {
  const directives = new Map(RENDERER_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
  assert.deepEqual(directives.get('default-src'), ["'none'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('connect-src'), ["'none'"]);
  for (const d of ['object-src', 'base-uri', 'frame-ancestors', 'form-action']) assert.deepEqual(directives.get(d), ["'none'"], d);
  assert.doesNotMatch(RENDERER_CSP, /unsafe-eval|script-src[^;]*unsafe-inline|\*/);
});

test('renderer files are served from inside the UI folder only; router paths get index.html', async () => {
  const ui = tmpDir('ui');
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html>');
  fs.mkdirSync(path.join(ui, 'assets'));
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'x');
  const outside = tmpDir('outside');
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'no');
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ui, 'assets', 'link.txt'));
  assert.deepEqual(await resolveRendererFile(ui, 'cairn://app/assets/app.js'), { status: 200, file: fs.realpathSync(path.join(ui, 'assets', 'app.js')), type: 'text/javascript; charset=utf-8' });
  assert.equal((await resolveRendererFile(ui, 'cairn://app/snapshots/abc') as { file: string }).file, fs.realpathSync(path.join(ui, 'index.html')));
  assert.equal((await resolveRendererFile(ui, 'cairn://app/')).status, 200);
  assert.equal((await resolveRendererFile(ui, 'cairn://app/missing.js')).status, 404);
  for (const url of ['cairn://app/assets/link.txt', 'cairn://app/..%2f..%2fetc%2fpasswd', 'cairn://app/a%00b', 'cairn://app/%E0%A4%A', 'cairn://elsewhere/index.html']) {
    assert.equal((await resolveRendererFile(ui, url)).status, 403, url);
  }
});

test('the Linux autostart entry quotes its command line by the desktop entry rules and toggles on and off', async () => {
  assert.equal(execArg('/opt/Cairn/cairn'), '/opt/Cairn/cairn');
  assert.equal(execArg('/home/me/My Apps/Cairn.AppImage'), '"/home/me/My Apps/Cairn.AppImage"');
  assert.equal(execArg('50%'), '50%%');
  assert.equal(execArg('a"$b'), '"a\\\\"\\\\$b"');
  const text = desktopEntry({ exec: '/home/me/My Apps/Cairn.AppImage', args: ['--hidden'] });
  assert.match(text, /^\[Desktop Entry\]\nType=Application\nName=Cairn\n/);
  assert.match(text, /\nExec="\/home\/me\/My Apps\/Cairn.AppImage" --hidden\n/);

  const home = tmpDir('autostart-home');
  assert.equal(autostartFile({}, home), path.join(home, '.config', 'autostart', 'org.cairn.Cairn.desktop'));
  assert.equal(autostartFile({ XDG_CONFIG_HOME: '/x/conf' }, home), '/x/conf/autostart/org.cairn.Cairn.desktop');
  assert.equal(autostartFile({ XDG_CONFIG_HOME: 'relative' }, home), path.join(home, '.config', 'autostart', 'org.cairn.Cairn.desktop'), 'a relative XDG path is ignored, as the spec says');
  const file = autostartFile({}, home);
  assert.equal(await linuxAutostartEnabled(file), false);
  await setLinuxAutostart(file, true, { exec: '/usr/bin/cairn', args: ['--hidden'] });
  assert.equal(await linuxAutostartEnabled(file), true);
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['org.cairn.Cairn.desktop'], 'no temp file left');
  fs.appendFileSync(file, 'Hidden=true\n');
  assert.equal(await linuxAutostartEnabled(file), false, 'turned off in the desktop\'s own settings');
  await setLinuxAutostart(file, false, { exec: '/usr/bin/cairn', args: [] });
  assert.equal(fs.existsSync(file), false);
});

test('the tray menu template mirrors the model: status lines disabled, actions clickable with their action', () => {
  const now = Date.UTC(2026, 5, 10, 11, 0);
  const model = trayModel({ plans: [{ id: 'a', name: 'A', state: 'idle', overdue: false }, { id: 'b', name: 'B', state: 'running', overdue: false }], running: [], now, timeZone: 'UTC' });
  const chosen: [string, TrayAction][] = [];
  const template = trayMenuTemplate(model, (label, action) => chosen.push([label, action]));
  assert.deepEqual(template[0], { label: 'No backup yet', enabled: false });
  assert.deepEqual(template[1], { type: 'separator' });
  const sub = template[2];
  assert.equal(sub.label, 'Back up now');
  assert.ok(Array.isArray(sub.submenu));
  assert.deepEqual(sub.submenu.map((i) => [i.label, i.enabled]), [['A', true], ['B (running)', false]]);
  sub.submenu[0].click!({} as never, undefined, {} as never);
  const quit = template.at(-1)!;
  quit.click!({} as never, undefined, {} as never);
  assert.deepEqual(chosen, [['A', { type: 'backup-now', planId: 'a' }], ['Quit Cairn', { type: 'quit' }]]);

  assert.deepEqual(trayIconFile('/r', 'overdue', 'linux', true), { file: '/r/build/tray/tray-error-light.png', template: false });
  assert.deepEqual(trayIconFile('/r', 'idle', 'win32', false), { file: '/r/build/tray/tray-idle-dark.png', template: false });
  assert.deepEqual(trayIconFile('/r', 'paused', 'darwin', true), { file: '/r/build/tray/tray-paused-dark.png', template: true });
});

test('the preload exposes only invoke and onEvent, over the two channels the main process uses', () => {
  const text = fs.readFileSync(path.join(ROOT, 'src-main/electron/preload.cts'), 'utf8');
  assert.ok(text.includes(`'${INVOKE_CHANNEL}'`) && text.includes(`'${EVENT_CHANNEL}'`));
  assert.deepEqual([...text.matchAll(/exposeInMainWorld\(\s*'(\w+)'/g)].map((m) => m[1]), ['cairn']);
  const bridge = text.slice(text.indexOf('const bridge = {'), text.indexOf('} as CairnBridge'));
  assert.deepEqual([...bridge.matchAll(/^ {2}(?:async )?(\w+)\(/gm)].map((m) => m[1]), ['invoke', 'onEvent']);
});

test('IPC calls go through the contract: unknown ops, bad input and bad names come back as coded errors', async () => {
  const { service: profiles } = await ProfilesService.open(tmpDir('ipc-config'));
  const ctx = createApiContext({ profiles, secrets: { state: 'unavailable', message: 'none here' }, jobs: new CairnError('INVALID_ARGUMENT', 'no jobs') });
  const calls: string[] = [];
  const desktop: DesktopHandlers = {
    'desktop.dragOut': async (i) => { calls.push(i.path); return { file: '/tmp/x' }; },
    'desktop.showInFolder': async (i) => { calls.push(i.path); return { shown: i.path }; },
  };
  assert.deepEqual(await invoke('profiles.get', {}, ctx, desktop), { ok: true, value: { repositories: [], plans: [] } });
  assert.deepEqual(await invoke('fs.readFile', { path: '/etc/passwd' }, ctx, desktop), { ok: false, error: { code: 'NOT_FOUND', message: 'there is no operation "fs.readFile"' } });
  assert.deepEqual(await invoke('__proto__', {}, ctx, desktop), { ok: false, error: { code: 'NOT_FOUND', message: 'there is no operation "__proto__"' } });
  assert.equal((await invoke(42, {}, ctx, desktop) as { ok: false; error: { code: string } }).error.code, 'INVALID_ARGUMENT');
  assert.equal((await invoke('profiles.get', { extra: 1 }, ctx, desktop) as { ok: false; error: { code: string } }).error.code, 'INVALID_ARGUMENT');
  const bad = await invoke('desktop.dragOut', { repositoryId: 'main', snapshotId: 'latest', path: '/a/../../etc/passwd' }, ctx, desktop);
  assert.equal(bad.ok, false);
  const noJob = await invoke('desktop.showInFolder', { path: '/etc' }, ctx, desktop);
  assert.equal(noJob.ok, false, 'show in folder names the restore job that wrote the path');
  assert.deepEqual(calls, [], 'the handler never saw the bad path');
  assert.deepEqual(await invoke('desktop.showInFolder', { jobId: 'j1', path: '/tmp' }, ctx, desktop), { ok: true, value: { shown: '/tmp' } });
  await ctx.close();
});

test('drag-out restores the one file or folder into a fresh temporary folder and returns its path; a missing one is refused', async () => {
  const f = await jobFixture();
  await f.addRepo('main');
  const src = path.join(f.root, 'src');
  writeRandomFiles(src, 3, 50_000);
  await f.addPlan({ id: 'docs', repositoryId: 'main', sources: [src] });
  const job = await f.service.wait((await f.service.start({ kind: 'backup', planId: 'docs' })).id);
  assert.equal(job.state, 'succeeded', job.error);
  const tmp = tmpDir('drag');
  const file = await prepareDragOut(f.service, { repositoryId: 'main', snapshotId: 'latest', path: `${src}/file-001.bin` }, tmp);
  assert.ok(file.startsWith(tmp + path.sep));
  assert.equal(path.basename(file), 'file-001.bin');
  assert.deepEqual(fs.readFileSync(file), fs.readFileSync(path.join(src, 'file-001.bin')));
  const entries = fs.readdirSync(path.dirname(file));
  assert.deepEqual(entries, ['file-001.bin'], 'only the dragged file');
  const folder = await prepareDragOut(f.service, { repositoryId: 'main', snapshotId: 'latest', path: src }, tmp);
  assert.equal(path.basename(folder), 'src');
  assert.deepEqual(compareTrees(src, folder), [], 'the whole folder, as backed up');
  assert.equal(fs.readdirSync(tmp).length, 2);
  await assert.rejects(prepareDragOut(f.service, { repositoryId: 'main', snapshotId: 'latest', path: `${src}/nothing` }, tmp), /not a file or folder in snapshot/);
  assert.equal(fs.readdirSync(tmp).length, 2, 'the refused attempt left no folder behind');
  await f.service.close();
});
