import type { Command } from 'commander';
import {
  CairnError, describePolicy, forget, parseCount, parseDuration, parseGroupBy, splitTagList, shortId,
  type ForgetGroup, type ForgetResult, type KeepPolicy,
} from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { collect } from '../filters.ts';
import { checkPruneFlags, pruneLocked } from './prune.ts';
import { groupHeader, snapshotTable } from '../snapshot-table.ts';
import { groupKeyJson, snapshotEntryJson, snapshotFieldsJson } from '../snapshot-json.ts';

interface ForgetFlags {
  keepLast?: string; keepHourly?: string; keepDaily?: string; keepWeekly?: string; keepMonthly?: string; keepYearly?: string;
  keepWithin?: string; keepWithinHourly?: string; keepWithinDaily?: string; keepWithinWeekly?: string; keepWithinMonthly?: string; keepWithinYearly?: string;
  keepTag: string[];
  host: string[]; hostname: string[]; tag: string[]; path: string[];
  groupBy: string;
  compact?: boolean;
  dryRun?: boolean;
  prune?: boolean;
  maxUnused: string;
  maxRepackSize?: string;
  repackCacheableOnly?: boolean;
  repackSmall?: boolean;
  repackUncompressed?: boolean;
}

/** Every policy flag checked here, before the repository is opened or locked. */
export function policyFromFlags(f: ForgetFlags): KeepPolicy {
  const count = (v: string | undefined, flag: string) => (v === undefined ? 0 : parseCount(v, flag));
  const dur = (v: string | undefined, flag: string) => parseDuration(v ?? '', flag);
  return {
    last: count(f.keepLast, '--keep-last'),
    hourly: count(f.keepHourly, '--keep-hourly'),
    daily: count(f.keepDaily, '--keep-daily'),
    weekly: count(f.keepWeekly, '--keep-weekly'),
    monthly: count(f.keepMonthly, '--keep-monthly'),
    yearly: count(f.keepYearly, '--keep-yearly'),
    within: dur(f.keepWithin, '--keep-within'),
    withinHourly: dur(f.keepWithinHourly, '--keep-within-hourly'),
    withinDaily: dur(f.keepWithinDaily, '--keep-within-daily'),
    withinWeekly: dur(f.keepWithinWeekly, '--keep-within-weekly'),
    withinMonthly: dur(f.keepWithinMonthly, '--keep-within-monthly'),
    withinYearly: dur(f.keepWithinYearly, '--keep-within-yearly'),
    tags: f.keepTag.map(splitTagList),
  };
}

/** One group of restic 0.14's `forget --json` output. */
function groupJson(g: ForgetGroup): Record<string, unknown> {
  const key = groupKeyJson(g.key);
  const list = (l: typeof g.keep) => (l.length ? l.map(snapshotEntryJson) : null);
  return {
    tags: key.tags, host: key.hostname, paths: key.paths,
    keep: list(g.keep), remove: list(g.remove),
    reasons: g.reasons.length ? g.reasons.map((r) => {
      // Go leaves zero counters out of the JSON.
      const counters = Object.fromEntries(Object.entries(r.counters).filter(([, n]) => n !== 0));
      return { snapshot: snapshotFieldsJson(r.entry.snapshot), matches: r.matches, counters };
    }) : null,
  };
}

export function registerForget(program: Command, cli: () => Cli): void {
  program.command('forget')
    .description('remove snapshots by id, or those a retention policy does not keep (per group)')
    .argument('[ids...]', 'remove these snapshots (ids, unique prefixes, or "latest")')
    .option('-l, --keep-last <n>', 'keep the last n snapshots')
    .option('-H, --keep-hourly <n>', 'keep the last n hourly snapshots')
    .option('-d, --keep-daily <n>', 'keep the last n daily snapshots')
    .option('-w, --keep-weekly <n>', 'keep the last n weekly snapshots')
    .option('-m, --keep-monthly <n>', 'keep the last n monthly snapshots')
    .option('-y, --keep-yearly <n>', 'keep the last n yearly snapshots')
    .option('--keep-within <duration>', 'keep snapshots newer than duration (e.g. 1y5m7d2h) before the newest snapshot')
    .option('--keep-within-hourly <duration>', 'keep hourly snapshots newer than duration before the newest snapshot')
    .option('--keep-within-daily <duration>', 'keep daily snapshots newer than duration before the newest snapshot')
    .option('--keep-within-weekly <duration>', 'keep weekly snapshots newer than duration before the newest snapshot')
    .option('--keep-within-monthly <duration>', 'keep monthly snapshots newer than duration before the newest snapshot')
    .option('--keep-within-yearly <duration>', 'keep yearly snapshots newer than duration before the newest snapshot')
    .option('--keep-tag <taglist>', 'keep snapshots with all these comma-separated tags (repeatable)', collect, [])
    .option('--host <host>', 'only consider snapshots of this host (repeatable)', collect, [])
    .option('--hostname <host>', 'deprecated: use --host', collect, [])
    .option('--tag <taglist>', 'only consider snapshots with all these comma-separated tags (repeatable: any list)', collect, [])
    .option('--path <path>', 'only consider snapshots including this path (repeatable)', collect, [])
    .option('-c, --compact', 'use compact output format')
    .option('-g, --group-by <group>', 'group snapshots by host, paths and/or tags, comma-separated ("" for no grouping)', 'host,paths')
    .option('-n, --dry-run', 'do not delete anything, just print what would be done')
    .option('--prune', 'run prune afterwards if snapshots were removed')
    .option('--max-unused <limit>', 'prune: tolerate this much unused data (bytes with k/m/g/t, a percentage, or "unlimited")', '5%')
    .option('--max-repack-size <size>', 'prune: maximum size to repack')
    .option('--repack-cacheable-only', 'prune: only repack packs which are cacheable')
    .option('--repack-small', 'prune: repack pack files below 80% of the target pack size')
    .option('--repack-uncompressed', 'prune: repack all uncompressed data')
    .action(async (ids: string[], f: ForgetFlags) => {
      const c = cli();
      // All flags are checked before the repository is opened or locked.
      const policy = policyFromFlags(f);
      const groupBy = parseGroupBy(f.groupBy);
      if (f.prune) checkPruneFlags(c, f);
      const repo = await c.openRepository();
      let printed = false;
      const result = await forget(repo, {
        policy, groupBy, dryRun: f.dryRun === true, signal: c.signal,
        selection: { ids, hosts: [...f.host, ...f.hostname], tags: f.tag.map(splitTagList), paths: f.path },
        warn: (m) => c.warn(m),
        // As restic: prune runs only when snapshots were removed, inside forget's exclusive lock
        // (a dry run prunes as a dry run too).
        afterDelete: f.prune ? async (forgotten) => {
          printForget(c, forgotten, policy, f);
          printed = true;
          await pruneLocked(c, repo, f, forgotten.dryRun ? new Set(forgotten.removed) : undefined);
        } : undefined,
      });
      if (!printed) printForget(c, result, policy, f);
    });
}

/** forget's own output: restic's JSON groups, or per group the kept (with reasons) and removed. */
function printForget(c: Cli, result: ForgetResult, policy: KeepPolicy, f: ForgetFlags): void {
  if (c.json) {
    if (result.groups.length > 0) c.printJson(result.groups.map(groupJson));
    return;
  }
  if (result.policyEmpty) c.print('no policy was specified, no snapshots will be removed');
  if (result.groups.length > 0) c.print(`Applying Policy: ${describePolicy(policy)}`);
  for (const g of result.groups) {
    const header = groupHeader(g.key);
    if (header && (c.globals.verbose ?? 0) >= 1) c.output(header);
    if (c.globals.quiet) continue;
    if (g.keep.length > 0) {
      c.output(`keep ${g.keep.length} snapshots:`);
      c.output(snapshotTable(g.keep, { compact: f.compact, reasons: new Map(g.reasons.map((r) => [r.entry.id, r.matches])) }));
      c.output('');
    }
    if (g.remove.length > 0) {
      c.output(`remove ${g.remove.length} snapshots:`);
      c.output(snapshotTable(g.remove, { compact: f.compact }));
      c.output('');
    }
  }
  if (result.dryRun && result.removed.length > 0) {
    c.output(`Would have removed the following snapshots:\n{${result.removed.map(shortId).join(' ')}}\n`);
  }
}
