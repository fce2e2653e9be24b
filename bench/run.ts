// `npm run bench`: Cairn and restic side by side on the same data, in one run. Phases: initial
// backup, incremental backup after a 10% mutation, a backup with no change, a full restore.
// For each: wall time, CPU time, peak RSS, and (for backups) repository size, with the ratio
// Cairn/restic. Data comes from ../shared/bench/make-dataset.mjs and is cached between runs.
//
// Then maintenance (bench/maintenance.ts): forget half of ten snapshots, prune, check --read-data.
//
//   npm run bench -- [--mb 1024] [--runs 1] [--keep] [--no-remote] [--no-maintenance]
//
// With --runs N the whole sequence runs N times on fresh copies of the data and fresh
// repositories, and each figure is the median (this machine's timings vary by 10-20% run to run).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addSnapshots, MAINTENANCE_STEPS } from './maintenance.ts';
import { benchRemote } from './remote.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name: string, def: string) => {
  const i = args.indexOf('--' + name);
  return i >= 0 ? args[i + 1] : def;
};
const MB = Number(flag('mb', '1024'));
const KEEP = args.includes('--keep');
const RUNS = Math.max(1, Number(flag('runs', '1')));
const REMOTE = !args.includes('--no-remote');
const MAINTENANCE = !args.includes('--no-maintenance');
const PASSWORD = 'bench-password';

function need(tool: string, hint: string): void {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`bench: ${tool} is needed (${hint})`);
    process.exit(2);
  }
}
need('restic', 'apt-get install -y restic');
need('/usr/bin/time', 'apt-get install -y time');

const cacheDir = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cairn-bench');
const baseData = path.join(cacheDir, `data-${MB}mb`);
const makeDataset = path.resolve(ROOT, '../shared/bench/make-dataset.mjs');
if (!fs.existsSync(path.join(baseData, '.complete'))) {
  console.log(`bench: generating ${MB} MiB dataset in ${baseData} (cached for later runs)`);
  fs.rmSync(baseData, { recursive: true, force: true });
  execFileSync(process.execPath, [makeDataset, baseData, '--mb', String(MB)], { stdio: 'inherit' });
  fs.writeFileSync(path.join(baseData, '.complete'), '');
}

interface Measure { wall: number; cpu: number; rssMiB: number; sizeMiB?: number }
type Tool = 'restic' | 'cairn';
type Results = Record<string, Partial<Record<Tool, Measure>>>;

function duMiB(dir: string): number {
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0]) / (1 << 20);
}

function warm(dir: string): void {
  execFileSync('sh', ['-c', `find "${dir}" -type f -exec cat {} + > /dev/null`]);
}

let mutated = '';

/** Runs a command under /usr/bin/time after a sync; wall, CPU (user + sys) and peak RSS. */
function measureCommand(cmd: string[], extraEnv: NodeJS.ProcessEnv, timeFile: string): Measure {
  const env = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`, RESTIC_PASSWORD: PASSWORD, CAIRN_PASSWORD: PASSWORD, CAIRN_FROM_PASSWORD: PASSWORD, ...extraEnv };
  // Flush what the previous run wrote, so neither tool pays for the other's disk writes.
  execFileSync('sync');
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, ...cmd], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`bench: ${cmd.join(' ')} failed:\n${r.stderr}`);
    process.exit(1);
  }
  const [wall, user, sys, rssKb] = fs.readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
  return { wall, cpu: user + sys, rssMiB: rssKb / 1024 };
}

let remoteNote = '';

async function benchOnce(): Promise<Results> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-'));
  const data = path.join(work, 'data');
  execFileSync('cp', ['-a', baseData, data]);
  fs.rmSync(path.join(data, '.complete'));

  const run = (tool: Tool, argv: string[]): Measure => {
    const cmd = tool === 'restic'
      ? ['restic', ...argv]
      : [path.join(ROOT, 'bin/cairn.js'), ...argv]; // as `npx cairn` starts it: through its shebang line
    return measureCommand(cmd, { RESTIC_CACHE_DIR: path.join(work, 'restic-cache'), CAIRN_CACHE_DIR: path.join(work, 'cairn-cache') }, path.join(work, 'time.txt'));
  };

  const tools: Tool[] = ['restic', 'cairn'];
  const repos: Record<Tool, string> = { restic: path.join(work, 'repo-restic'), cairn: path.join(work, 'repo-cairn') };
  const results: Results = {};
  const record = (phase: string, tool: Tool, m: Measure) => ((results[phase] ??= {})[tool] = m);

  // Both repositories cut files with the same chunker polynomial: each repository's random one
  // moves chunk boundaries, and with them how well appended files dedupe, by a percent or two of
  // size either way, which would compare luck rather than the tools.
  run('restic', ['-r', repos.restic, 'init']);
  run('cairn', ['-r', repos.cairn, 'init', '--copy-chunker-params', '--from-repo', repos.restic]);
  warm(data);
  for (const t of tools) {
    const m = run(t, ['-r', repos[t], 'backup', data, '-q']);
    m.sizeMiB = duMiB(repos[t]);
    record('initial backup', t, m);
  }
  mutated = execFileSync(process.execPath, [makeDataset, data, '--mutate', '--percent', '10'], { encoding: 'utf8' }).trim();
  warm(data);
  for (const t of tools) {
    const m = run(t, ['-r', repos[t], 'backup', data, '-q']);
    m.sizeMiB = duMiB(repos[t]);
    record('incremental (10%)', t, m);
  }
  for (const t of tools) {
    const m = run(t, ['-r', repos[t], 'backup', data, '-q']);
    m.sizeMiB = duMiB(repos[t]);
    record('no-change backup', t, m);
  }
  // Both restores first, deletions after: deleting one tool's 8000 files right before the other's
  // restore makes the file system slower for the second (ext4 scans recently freed inodes).
  for (const t of tools) record('full restore', t, run(t, ['-r', repos[t], 'restore', 'latest', '--target', path.join(work, `restore-${t}`), '-q']));
  for (const t of tools) fs.rmSync(path.join(work, `restore-${t}`), { recursive: true, force: true });
  if (MAINTENANCE) {
    addSnapshots(makeDataset, data, () => { for (const t of tools) run(t, ['-r', repos[t], 'backup', data, '-q']); });
    for (const step of MAINTENANCE_STEPS) {
      for (const t of tools) {
        const m = run(t, ['-r', repos[t], ...step.argv]);
        if (step.size) m.sizeMiB = duMiB(repos[t]);
        record(step.phase, t, m);
      }
    }
  }
  if (!KEEP) fs.rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
  if (REMOTE) {
    // Part of every run, so --runs gives the remote phases medians too (one run of them varied by
    // 10-20% with the state of the disk the restores write to).
    const remoteWork = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-bench-remote-'));
    const remote = await benchRemote(ROOT, baseData, remoteWork, (cmd, env) => measureCommand(cmd, env, path.join(remoteWork, 'time.txt')));
    if (typeof remote === 'string') remoteNote = remote;
    else Object.assign(results, remote);
    fs.rmSync(remoteWork, { recursive: true, force: true });
  }
  return results;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

const allRuns: Results[] = [];
for (let i = 0; i < RUNS; i++) {
  if (RUNS > 1) console.log(`bench: run ${i + 1} of ${RUNS}`);
  allRuns.push(await benchOnce());
}
const results: Results = {};
for (const phase of Object.keys(allRuns[0]!)) {
  for (const tool of ['restic', 'cairn'] as Tool[]) {
    const ms = allRuns.map((r) => r[phase]?.[tool]).filter((x): x is Measure => x !== undefined);
    if (ms.length === 0) continue; // restic has no s3rver column
    const m: Measure = { wall: median(ms.map((x) => x.wall)), cpu: median(ms.map((x) => x.cpu)), rssMiB: median(ms.map((x) => x.rssMiB)) };
    if (ms[0]!.sizeMiB !== undefined) m.sizeMiB = median(ms.map((x) => x.sizeMiB!));
    (results[phase] ??= {})[tool] = m;
  }
}


const fmt = (v: number | undefined, digits = 2) => (v === undefined ? '-' : v.toFixed(digits));
const ratio = (c?: number, r?: number) => (c === undefined || r === undefined || r === 0 ? '-' : (c / r).toFixed(2));
const rows: string[][] = [];
for (const [phase, byTool] of Object.entries(results)) {
  const r = byTool.restic, c = byTool.cairn;
  rows.push([phase, 'wall s', fmt(r?.wall), fmt(c?.wall), ratio(c?.wall, r?.wall)]);
  rows.push(['', 'CPU s', fmt(r?.cpu), fmt(c?.cpu), ratio(c?.cpu, r?.cpu)]);
  rows.push(['', 'peak RSS MiB', fmt(r?.rssMiB, 0), fmt(c?.rssMiB, 0), ratio(c?.rssMiB, r?.rssMiB)]);
  if (r?.sizeMiB !== undefined) rows.push(['', 'repo MiB', fmt(r.sizeMiB, 0), fmt(c?.sizeMiB, 0), ratio(c?.sizeMiB, r.sizeMiB)]);
}
const header = ['phase', 'measure', 'restic', 'cairn', 'cairn/restic'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(`\nCairn vs restic (${execFileSync('restic', ['version'], { encoding: 'utf8' }).trim().split(' ').slice(0, 2).join(' ')}), ${MB} MiB dataset, ${os.cpus().length} cores, ${RUNS === 1 ? '1 run' : `median of ${RUNS} runs`}; mutation: ${mutated}`);
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) console.log(line(r));
if (remoteNote) console.log(remoteNote);
fs.mkdirSync(path.join(ROOT, 'bench/.results'), { recursive: true });
fs.writeFileSync(path.join(ROOT, 'bench/.results', `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify({ mb: MB, runs: allRuns, median: results }, null, 2));
