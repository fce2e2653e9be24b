import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { isCairnError } from '../../src-worker/index.ts';
import {
  addPlan,
  addRepository,
  configDir,
  emptyProfiles,
  loadProfiles,
  nextSlot,
  periodAfter,
  presetPatterns,
  profilesPath,
  ProfilesService,
  removePlan,
  removeRepository,
  saveProfiles,
  updatePlan,
} from '../../src-main/profiles/index.ts';

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-profiles-'));
}

const FIXED = Date.UTC(2026, 0, 2, 3, 4, 5);

function basePlan(repositoryId: string) {
  return { name: 'Documents', repositoryId, sources: ['/home/me/Documents'], schedule: { kind: 'interval' as const, minutes: 60 } };
}

test('config dir follows each OS and CAIRN_CONFIG_DIR overrides it', () => {
  assert.equal(configDir({ env: {}, platform: 'linux', home: '/home/me' }), '/home/me/.config/cairn');
  assert.equal(configDir({ env: { XDG_CONFIG_HOME: '/x/cfg' }, platform: 'linux', home: '/home/me' }), '/x/cfg/cairn');
  assert.equal(configDir({ env: { XDG_CONFIG_HOME: 'relative' }, platform: 'linux', home: '/home/me' }), '/home/me/.config/cairn');
  assert.equal(configDir({ env: {}, platform: 'darwin', home: '/Users/me' }), '/Users/me/Library/Application Support/Cairn');
  assert.equal(configDir({ env: { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' }, platform: 'win32', home: 'C:\\Users\\me' }), 'C:\\Users\\me\\AppData\\Roaming\\Cairn');
  assert.equal(configDir({ env: { CAIRN_CONFIG_DIR: '/t/c', XDG_CONFIG_HOME: '/x' }, platform: 'linux', home: '/h' }), '/t/c');
});

test('a missing file is a first start with empty profiles; a save then load round-trips', async () => {
  const dir = tmpDir();
  const first = await loadProfiles(dir);
  assert.ok(first.ok && first.created);
  let { profiles, repository } = addRepository(emptyProfiles(), { name: 'USB disk', location: '/mnt/usb/backup', options: { 'sftp.connections': '3' } });
  ({ profiles } = addPlan(profiles, { ...basePlan(repository.id), excludePresets: ['caches', 'node_modules'], retention: { keepDaily: 7, keepWithin: '30d', keepTags: ['keep'] }, tags: ['laptop'] }));
  await saveProfiles(dir, profiles);
  const again = await loadProfiles(dir);
  assert.ok(again.ok && !again.created);
  assert.deepEqual(again.profiles, profiles);
  assert.equal(again.profiles.plans[0].watch.enabled, false, 'defaults are filled in');
  assert.equal(fs.statSync(profilesPath(dir)).mode & 0o777, 0o600);
  assert.deepEqual(fs.readdirSync(dir), ['profiles.json'], 'no temporary file is left behind');
});

test('a plan cannot reference a missing repository, nor copy to its own repository', () => {
  const { profiles, repository } = addRepository(emptyProfiles(), { name: 'A', location: '/a' });
  assert.throws(() => addPlan(profiles, basePlan('nope')), (e) => isCairnError(e, 'NOT_FOUND') && /repository "nope" does not exist/.test(e.message));
  assert.throws(() => addPlan(profiles, { ...basePlan(repository.id), copyToRepositoryId: 'gone' }), (e) => isCairnError(e, 'NOT_FOUND') && /copy-to repository "gone"/.test(e.message));
  assert.throws(() => addPlan(profiles, { ...basePlan(repository.id), copyToRepositoryId: repository.id }), (e) => isCairnError(e, 'INVALID_ARGUMENT'));
});

test('deleting a repository used by a plan (directly or as copy target) is refused, naming the plan', () => {
  let { profiles, repository: a } = addRepository(emptyProfiles(), { id: 'a', name: 'A', location: '/a' });
  const b = addRepository(profiles, { id: 'b', name: 'B', location: '/b' });
  profiles = b.profiles;
  ({ profiles } = addPlan(profiles, { ...basePlan(a.id), id: 'docs', copyToRepositoryId: 'b' }));
  assert.throws(() => removeRepository(profiles, 'a'), (e) => isCairnError(e, 'IN_USE') && e.message === 'repository "A" is used by plan "Documents": delete or change it first');
  assert.throws(() => removeRepository(profiles, 'b'), (e) => isCairnError(e, 'IN_USE'));
  profiles = removePlan(profiles, 'docs');
  profiles = removeRepository(profiles, 'b');
  assert.deepEqual(profiles.repositories.map((r) => r.id), ['a']);
});

test('updates are validated: bad cron, empty sources, duplicate names are refused with the field named', () => {
  let { profiles, repository } = addRepository(emptyProfiles(), { name: 'A', location: '/a' });
  ({ profiles } = addPlan(profiles, { ...basePlan(repository.id), id: 'p1' }));
  assert.throws(() => updatePlan(profiles, 'p1', { schedule: { kind: 'cron', expression: '61 * * * *' } }), (e) => isCairnError(e, 'INVALID_ARGUMENT') && /schedule/.test(e.message));
  assert.throws(() => updatePlan(profiles, 'p1', { sources: [] }), (e) => isCairnError(e, 'INVALID_ARGUMENT') && /sources: choose at least one folder/.test(e.message));
  assert.throws(() => addPlan(profiles, { ...basePlan(repository.id), name: 'documents' }), /already exists/);
  const ok = updatePlan(profiles, 'p1', { schedule: { kind: 'cron', expression: '0 3 * * *' }, watch: { enabled: true, debounceMinutes: 10 } });
  assert.deepEqual(ok.plans[0].schedule, { kind: 'cron', expression: '0 3 * * *' });
});

test('there is no place for a secret: secret-looking fields, unknown fields and URL passwords are refused', () => {
  const p = emptyProfiles();
  assert.throws(() => addRepository(p, { name: 'S3', location: 's3:https://h/b', options: { 's3.secret-key': 'AKIA-SECRET' } }), (e) => isCairnError(e, 'INVALID_ARGUMENT') && /options\.s3\.secret-key looks like a secret/.test(e.message) && !e.message.includes('AKIA-SECRET'));
  assert.throws(() => addRepository(p, { name: 'R', location: '/r', password: 'hunter2' } as never), (e) => isCairnError(e, 'INVALID_ARGUMENT') && !e.message.includes('hunter2'));
  assert.throws(() => addRepository(p, { name: 'R', location: '/r', note: 'x' } as never), (e) => isCairnError(e, 'INVALID_ARGUMENT') && /note/.test(e.message));
  assert.throws(() => addRepository(p, { name: 'R', location: 'rest:https://me:hunter2@host/' }), (e) => isCairnError(e, 'INVALID_ARGUMENT') && /password in it/.test(e.message) && !e.message.includes('hunter2'));
  assert.doesNotThrow(() => addRepository(p, { name: 'R', location: 'sftp:me@host:/srv/backup', options: { 'sftp.key': '~/.ssh/backup' } }));
});

async function writeRaw(dir: string, text: string) {
  fs.writeFileSync(profilesPath(dir), text);
}

test('a corrupt file is moved aside with a timestamp and reported, never overwritten', async () => {
  const dir = tmpDir();
  await writeRaw(dir, '{"version": 2, "repositories": [');
  const r = await loadProfiles(dir, { now: () => FIXED });
  assert.ok(!r.ok);
  assert.equal(r.reason, 'corrupt');
  assert.equal(r.error.code, 'CORRUPT_CONFIG');
  assert.equal(path.basename(r.movedTo), 'profiles.json.corrupt-2026-01-02T03-04-05-000Z');
  assert.equal(fs.readFileSync(r.movedTo, 'utf8'), '{"version": 2, "repositories": [');
  assert.ok(!fs.existsSync(profilesPath(dir)));
  assert.match(r.error.message, /not valid JSON; it was moved to .*corrupt-2026.*: fix it and move it back/);
  // A second bad file in the same instant gets its own name: the first one is kept.
  await writeRaw(dir, 'also bad');
  const r2 = await loadProfiles(dir, { now: () => FIXED });
  assert.ok(!r2.ok && r2.movedTo.endsWith('-1'));
  assert.equal(fs.readFileSync(r.movedTo, 'utf8'), '{"version": 2, "repositories": [');
});

test('a file failing validation (dangling reference, secret field) is moved aside as invalid', async () => {
  const dir = tmpDir();
  await writeRaw(dir, JSON.stringify({ version: 2, repositories: [], plans: [{ id: 'p', name: 'P', repositoryId: 'missing', sources: ['/x'], schedule: { kind: 'manual' } }] }));
  const r = await loadProfiles(dir, { now: () => FIXED });
  assert.ok(!r.ok && r.reason === 'invalid' && r.error.code === 'CORRUPT_CONFIG');
  assert.match(r.error.message, /uses repository "missing", which does not exist/);

  await writeRaw(dir, JSON.stringify({ version: 2, repositories: [{ id: 'r', name: 'R', location: '/r', repoPassword: 'hunter2' }], plans: [] }));
  const s = await loadProfiles(dir, { now: () => FIXED + 1 });
  assert.ok(!s.ok && s.reason === 'invalid');
  assert.match(s.error.message, /repositories\[0\]\.repoPassword looks like a secret/);
  assert.ok(!s.error.message.includes('hunter2'));
});

test('a file from a newer Cairn is moved aside as "newer" and reported with UNSUPPORTED_VERSION', async () => {
  const dir = tmpDir();
  const text = JSON.stringify({ version: 3, repositories: [], plans: [], future: true });
  await writeRaw(dir, text);
  const r = await loadProfiles(dir, { now: () => FIXED });
  assert.ok(!r.ok && r.reason === 'newer');
  assert.equal(r.error.code, 'UNSUPPORTED_VERSION');
  assert.match(path.basename(r.movedTo), /^profiles\.json\.newer-2026/);
  assert.equal(fs.readFileSync(r.movedTo, 'utf8'), text);
  // The service starts empty and its next save does not touch the moved-aside file.
  const { service, load } = await ProfilesService.open(dir, { now: () => FIXED + 5 });
  assert.ok(load.ok && load.created);
  await service.addRepository({ name: 'A', location: '/a' });
  assert.equal(fs.readFileSync(r.movedTo, 'utf8'), text);
});

test('a v1 file (schedule as a string, no watch) migrates to v2, keeping the original as a backup', async () => {
  const dir = tmpDir();
  const v1 = {
    version: 1,
    repositories: [{ id: 'usb', name: 'USB', location: '/mnt/usb', options: {} }],
    plans: [
      { id: 'a', name: 'A', repositoryId: 'usb', sources: ['/a'], schedule: 'every 30m' },
      { id: 'b', name: 'B', repositoryId: 'usb', sources: ['/b'], schedule: 'daily' },
      { id: 'c', name: 'C', repositoryId: 'usb', sources: ['/c'], schedule: '0 3 * * 1-5' },
      { id: 'd', name: 'D', repositoryId: 'usb', sources: ['/d'], schedule: 'manual' },
      { id: 'e', name: 'E', repositoryId: 'usb', sources: ['/e'], schedule: 'every 6h' },
    ],
  };
  await writeRaw(dir, JSON.stringify(v1));
  const r = await loadProfiles(dir);
  assert.ok(r.ok);
  assert.equal(r.migratedFrom, 1);
  assert.deepEqual(r.profiles.plans.map((p) => p.schedule), [
    { kind: 'interval', minutes: 30 },
    { kind: 'interval', minutes: 1440 },
    { kind: 'cron', expression: '0 3 * * 1-5' },
    { kind: 'manual' },
    { kind: 'interval', minutes: 360 },
  ]);
  assert.ok(r.profiles.plans.every((p) => p.watch.enabled === false));
  assert.deepEqual(JSON.parse(fs.readFileSync(r.backupPath!, 'utf8')), v1);
  const onDisk = JSON.parse(fs.readFileSync(profilesPath(dir), 'utf8'));
  assert.equal(onDisk.version, 2);
  const again = await loadProfiles(dir);
  assert.ok(again.ok && again.migratedFrom === undefined);
});

test('a v1 file whose schedule string is not a valid cron expression is moved aside, not half-migrated', async () => {
  const dir = tmpDir();
  await writeRaw(dir, JSON.stringify({ version: 1, repositories: [{ id: 'u', name: 'U', location: '/u' }], plans: [{ id: 'a', name: 'A', repositoryId: 'u', sources: ['/a'], schedule: 'whenever' }] }));
  const r = await loadProfiles(dir, { now: () => FIXED });
  assert.ok(!r.ok && r.reason === 'invalid');
  assert.match(r.error.message, /schedule/);
  assert.ok(!fs.existsSync(profilesPath(dir)));
});

test('the service saves every change atomically and serializes concurrent changes', async () => {
  const dir = tmpDir();
  const { service } = await ProfilesService.open(dir);
  const repo = await service.addRepository({ name: 'A', location: '/a' });
  await Promise.all([1, 2, 3, 4].map((i) => service.addPlan({ ...basePlan(repo.id), name: `Plan ${i}` })));
  const r = await loadProfiles(dir);
  assert.ok(r.ok);
  assert.equal(r.profiles.plans.length, 4);
  await assert.rejects(service.removeRepository(repo.id), (e) => isCairnError(e, 'IN_USE'));
  // A refused change leaves memory and disk as they were.
  assert.equal(service.profiles.repositories.length, 1);
});

test('exclude presets give per-platform lists without duplicates', () => {
  const linux = presetPatterns(['caches', 'trash', 'node_modules'], 'linux');
  assert.ok(linux.includes('~/.cache') && linux.includes('~/.local/share/Trash') && linux.includes('**/node_modules'));
  const mac = presetPatterns(['caches', 'vm-images'], 'darwin');
  assert.ok(mac.includes('~/Library/Caches') && mac.includes('**/*.vmdk') && !mac.includes('~/.cache'));
  const win = presetPatterns(['trash', 'build-output', 'build-output'], 'win32');
  assert.ok(win.includes('*/$RECYCLE.BIN'));
  assert.equal(new Set(win).size, win.length);
});

test('schedules: next slot and period for interval and cron', () => {
  const t = Date.UTC(2026, 5, 1, 10, 0, 0);
  assert.equal(nextSlot({ kind: 'interval', minutes: 90 }, t), t + 90 * 60_000);
  assert.equal(nextSlot({ kind: 'manual' }, t), null);
  assert.equal(nextSlot({ kind: 'cron', expression: '0 3 * * *' }, t, 'UTC'), Date.UTC(2026, 5, 2, 3));
  // Weekdays at 3: from Friday morning the next two slots are Monday and Tuesday, one day apart;
  // from Thursday noon they are Friday and Monday, three days apart.
  assert.equal(periodAfter({ kind: 'cron', expression: '0 3 * * 1-5' }, Date.UTC(2026, 5, 4, 12), 'UTC'), 3 * 86_400_000);
});
