// Cairn's forget decides exactly what restic 0.14's does: random snapshot histories (several years,
// bursts within an hour or a day, 1-3 hosts, tags, path sets, UTC offsets), random policies over
// every flag and grouping, compared with `restic forget --dry-run --json` group by group: the ids
// kept and removed, in order, and each kept snapshot's reasons and counters.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  LocalBackend, parseCount, parseDuration, parseGroupBy, planForget, Repository, splitTagList, type KeepPolicy, type Snapshot,
} from '../../src-worker/index.ts';
import { mulberry32 } from '../helpers/random.ts';
import { cairnOk, requireTool, tmpDir } from '../helpers/tools.ts';

const SEED = Number(process.env.FORGET_SEED ?? 20240611);
const HISTORIES = Number(process.env.FORGET_HISTORIES ?? 50);
const POLICIES_PER_HISTORY = 3;
const PASSWORD = 'test-password';
// Go reads a snapshot's offset as the local zone when they agree; with a zone that has summer
// time its calendar arithmetic would differ by an hour. Cairn always uses the written offset.
const ENV = { TZ: 'UTC' };

let work: string;
let repoDir: string;
let repo: Repository;
let tree: string;

before(async () => {
  work = tmpDir('forget-eq');
  repoDir = path.join(work, 'repo');
  // A cheap key derivation so that each of the many restic runs opens the repository quickly.
  repo = await Repository.init(new LocalBackend(repoDir), PASSWORD, { kdf: { N: 1024, r: 8, p: 1 } });
  tree = (await repo.saveBlob('tree', Buffer.from('{"nodes":[]}\n'))).id;
  await repo.flush();
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

type Rand = () => number;
const pick = <T>(r: Rand, l: readonly T[]): T => l[Math.floor(r() * l.length)]!;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const OFFSETS = ['Z', '+00:00', '+02:00', '-05:00', '+05:30', '-09:30', '+13:00', '-11:00'];
const PATH_SETS = [['/srv/a'], ['/srv/b', '/srv/a'], ['/home']];
const TAGS = ['x', 'y', 'z'];

function timeText(ms: number, offset: string, r: Rand): string {
  const off = offset === 'Z' ? 0 : (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4))) * 60_000;
  const wall = new Date(ms + off).toISOString().slice(0, 19);
  // Fractions with and without trailing zeros, as restic writes (and Go re-prints) them.
  const frac = pick(r, ['', '', `.${String(int(r, 0, 999_999_999)).padStart(9, '0')}`, '.500000000', `.${int(r, 100, 999)}`]);
  return wall + frac + offset;
}

/** A history: distinct instants (restic's order of equal times is not defined). */
function history(r: Rand): Snapshot[] {
  const now = Date.now();
  const span = int(r, 30, 4 * 365) * 86_400_000;
  const n = int(r, 3, 40);
  const hosts = ['alpha', 'beta', 'gamma'].slice(0, int(r, 1, 3));
  const stamps: number[] = [];
  while (stamps.length < n) {
    const burst = stamps.length > 0 && r() < 0.5;
    let t = burst ? pick(r, stamps) + pick(r, [int(r, 1, 59) * 60_000, int(r, 1, 30) * 3_600_000, int(r, 1, 9) * 86_400_000]) : now - Math.floor(r() * span);
    if (r() < 0.02) t = now + int(r, 2, 400) * 86_400_000; // now and then one dated in the future
    t -= t % 1000;
    if (t > now - 60_000 && t < now + 86_400_000) continue; // no snapshot near "now" itself
    if (!stamps.includes(t)) stamps.push(t);
  }
  return stamps.map((t) => {
    const tags = TAGS.filter(() => r() < 0.3);
    if (r() < 0.5) tags.reverse();
    return {
      time: timeText(t, pick(r, OFFSETS), r), tree, paths: [...pick(r, PATH_SETS)], hostname: pick(r, hosts),
      username: 'u', ...(tags.length ? { tags } : {}),
    };
  });
}

function duration(r: Rand): string {
  return pick(r, [`${int(r, 1, 48)}h`, `${int(r, 1, 40)}d`, `${int(r, 1, 14)}m`, `${int(r, 1, 3)}y`, `1y${int(r, 1, 11)}m`, `${int(r, 1, 5)}m${int(r, 1, 27)}d`, `${int(r, 1, 9)}d${int(r, 1, 23)}h`]);
}

/** restic's flags for a random policy (occasionally none: then nothing is decided). */
function policyArgs(r: Rand): string[] {
  const a: string[] = [];
  const counts = ['--keep-last', '--keep-hourly', '--keep-daily', '--keep-weekly', '--keep-monthly', '--keep-yearly'];
  const windows = ['--keep-within', '--keep-within-hourly', '--keep-within-daily', '--keep-within-weekly', '--keep-within-monthly', '--keep-within-yearly'];
  for (const f of counts) if (r() < 0.3) a.push(f, String(int(r, 1, 6)));
  for (const f of windows) if (r() < 0.2) a.push(f, duration(r));
  if (r() < 0.25) a.push('--keep-tag', pick(r, ['x', 'x,y', 'z', '']));
  if (r() < 0.1) a.push('--keep-tag', pick(r, ['y', 'y,z']));
  if (r() < 0.6) a.push('--group-by', pick(r, ['', 'host', 'paths', 'tags', 'host,tags', 'host,paths,tags', 'paths,tags']));
  if (r() < 0.1) a.push('--host', 'alpha');
  if (r() < 0.1) a.push('--tag', pick(r, ['x', 'y,z', '']));
  if (r() < 0.1) a.push('--path', '/srv/a');
  return a;
}

/** The same flags, read the way the CLI reads them. */
function parseArgs(a: string[]) {
  const policy: KeepPolicy = {
    last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0,
    within: parseDuration(''), withinHourly: parseDuration(''), withinDaily: parseDuration(''), withinWeekly: parseDuration(''), withinMonthly: parseDuration(''), withinYearly: parseDuration(''),
    tags: [],
  };
  const counts: Record<string, 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly'> = { '--keep-last': 'last', '--keep-hourly': 'hourly', '--keep-daily': 'daily', '--keep-weekly': 'weekly', '--keep-monthly': 'monthly', '--keep-yearly': 'yearly' };
  const windows: Record<string, 'within' | 'withinHourly' | 'withinDaily' | 'withinWeekly' | 'withinMonthly' | 'withinYearly'> = { '--keep-within': 'within', '--keep-within-hourly': 'withinHourly', '--keep-within-daily': 'withinDaily', '--keep-within-weekly': 'withinWeekly', '--keep-within-monthly': 'withinMonthly', '--keep-within-yearly': 'withinYearly' };
  let groupBy = 'host,paths';
  const hosts: string[] = [], tags: string[][] = [], paths: string[] = [];
  for (let i = 0; i < a.length; i += 2) {
    const [f, v] = [a[i]!, a[i + 1]!];
    if (counts[f]) policy[counts[f]] = parseCount(v, f);
    else if (windows[f]) policy[windows[f]] = parseDuration(v, f);
    else if (f === '--keep-tag') policy.tags.push(splitTagList(v));
    else if (f === '--group-by') groupBy = v;
    else if (f === '--host') hosts.push(v);
    else if (f === '--tag') tags.push(splitTagList(v));
    else if (f === '--path') paths.push(v);
  }
  return { policy, groupBy: parseGroupBy(groupBy), selection: { hosts, tags, paths } };
}

interface ResticGroup {
  tags: string[] | null; host: string; paths: string[] | null;
  keep: { id: string }[] | null; remove: { id: string }[] | null;
  reasons: { snapshot: { time: string }; matches: string[]; counters: Record<string, number> }[] | null;
}

/** A group in comparable form: key, ids kept and removed in order, reasons by kept id. */
function normalize(g: ResticGroup) {
  const keep = (g.keep ?? []).map((s) => s.id);
  return {
    key: JSON.stringify({ host: g.host, paths: g.paths, tags: g.tags }),
    keep, remove: (g.remove ?? []).map((s) => s.id),
    reasons: (g.reasons ?? []).map((x, i) => ({ id: keep[i], matches: x.matches, counters: x.counters })),
  };
}
const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** `restic forget --dry-run --json` without blocking, so the policies of one history run side by side. */
function resticForget(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('restic', ['-r', repoDir, '--no-cache', '--no-lock', 'forget', '--dry-run', '--json', ...args],
      { env: { ...process.env, RESTIC_PASSWORD: PASSWORD, ...ENV }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }));
  });
}

async function writeHistory(list: Snapshot[]): Promise<void> {
  const dir = path.join(repoDir, 'snapshots');
  for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f));
  for (const sn of list) await repo.saveSnapshot(sn);
}

test(`Cairn's forget decisions equal restic's on ${HISTORIES} random histories (seed ${SEED})`, async () => {
  requireTool('restic', 'apt-get install -y restic');
  const r = mulberry32(SEED);
  let compared = 0, removedTotal = 0, keptTotal = 0;
  for (let h = 0; h < HISTORIES; h++) {
    await writeHistory(history(r));
    const policies = Array.from({ length: POLICIES_PER_HISTORY }, () => policyArgs(r));
    const results = await Promise.all(policies.map(resticForget));
    for (let p = 0; p < POLICIES_PER_HISTORY; p++) {
      const args = policies[p]!;
      const res = results[p]!;
      const where = `seed ${SEED}, history ${h}, policy ${JSON.stringify(args)} (rerun with FORGET_SEED=${SEED})`;
      assert.equal(res.code, 0, `restic failed: ${res.stderr} at ${where}`);
      const theirs = (res.stdout.trim() ? (JSON.parse(res.stdout) as ResticGroup[]) : []).map(normalize).sort(byKey);
      const plan = await planForget(repo, parseArgs(args));
      const ours = plan.groups.map((g) => normalize({
        host: g.key.hostname, paths: g.key.paths, tags: g.key.tags,
        keep: g.keep, remove: g.remove,
        reasons: g.reasons.map((x) => ({ snapshot: { time: '' }, matches: x.matches, counters: Object.fromEntries(Object.entries(x.counters).filter(([, n]) => n !== 0)) })),
      })).sort(byKey);
      assert.deepEqual(ours, theirs, `decisions differ at ${where}`);
      compared++;
      for (const g of theirs) { removedTotal += g.remove.length; keptTotal += g.keep.length; }
      // Now and then the whole CLI output, byte for byte after restic's random group order is sorted.
      if (p === 0 && h % 12 === 0) {
        const cli = cairnOk(['-r', repoDir, '--no-cache', 'forget', '--dry-run', '--json', ...args], { password: PASSWORD, env: ENV });
        const sortGroups = (text: string) => (text.trim() ? (JSON.parse(text) as ResticGroup[]) : []).sort((a, b) => byKey(normalize(a), normalize(b)));
        assert.deepEqual(sortGroups(cli), sortGroups(res.stdout), `forget --json output differs at ${where}`);
      }
    }
  }
  // The generator must exercise both outcomes, or the comparison proves little.
  assert.ok(removedTotal > 200 && keptTotal > 200, `too one-sided: ${keptTotal} kept, ${removedTotal} removed`);
  assert.equal(compared, HISTORIES * POLICIES_PER_HISTORY);
});
