import type { Command } from 'commander';
import { shortId, type SnapshotEntry } from '../../../src-worker/index.ts';
import { groupSnapshots, isGrouped, matchesFilter, parseGroupBy, parseTime } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { formatLocalTime, table } from '../format.ts';
import { collect, filterFrom, type FilterFlags } from '../filters.ts';
import { groupHeader, snapshotTable } from '../snapshot-table.ts';
import { groupKeyJson, snapshotEntryJson } from '../snapshot-json.ts';

/** A snapshot as restic's --json prints it: the stored fields plus id and short_id. */
export function snapshotJson(e: SnapshotEntry): Record<string, unknown> {
  return { ...e.snapshot, id: e.id, short_id: shortId(e.id) };
}

export function registerSnapshots(program: Command, cli: () => Cli): void {
  program.command('snapshots')
    .description('list snapshots')
    .argument('[ids...]', 'only these snapshots')
    .option('-H, --host <host>', 'only snapshots of this host (repeatable)', collect, [])
    .option('--tag <taglist>', 'only snapshots with all these comma-separated tags (repeatable: any list)', collect, [])
    .option('--path <path>', 'only snapshots including this path (repeatable)', collect, [])
    .option('--latest <n>', 'only the last n snapshots of each host and path set')
    .option('-g, --group-by <group>', 'group snapshots by host, paths and/or tags, comma-separated', '')
    .action(async (ids: string[], opts: FilterFlags & { latest?: string; groupBy: string }) => {
      const c = cli();
      const groupBy = parseGroupBy(opts.groupBy);
      const repo = await c.openRepository();
      const all = (await repo.listSnapshots((id, err) => c.warn(`snapshot ${id.slice(0, 8)} cannot be read: ${(err as Error).message}`)))
        .filter((e) => matchesFilter(e.snapshot, filterFrom(opts)));
      let entries = all;
      if (ids.length > 0) {
        // As restic: "latest" and id prefixes select snapshots; unknown ones are named and skipped.
        const chosen = new Set<SnapshotEntry>();
        for (const ref of ids) {
          const hits = ref === 'latest' ? all.slice(-1) : all.filter((e) => e.id.startsWith(ref));
          if (hits.length === 0) c.warn(`Ignoring "${ref}": no matching ID found`);
          else if (hits.length > 1 && ref !== 'latest') c.warn(`Ignoring "${ref}": more than one snapshot matches, give more of the ID`);
          else chosen.add(hits[0]!);
        }
        entries = all.filter((e) => chosen.has(e));
      }
      if (opts.latest) {
        const n = Number(opts.latest);
        const groups = new Map<string, SnapshotEntry[]>();
        for (const e of entries) {
          const key = (e.snapshot.hostname ?? '') + '\0' + [...e.snapshot.paths].sort().join('\0');
          groups.set(key, [...(groups.get(key) ?? []), e]);
        }
        entries = [...groups.values()].flatMap((g) => g.slice(-n));
        entries.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : 1));
      }
      if (isGrouped(groupBy)) {
        // restic's grouped listing: each group oldest first, a header line per group; in JSON
        // [{group_key: {hostname, paths, tags}, snapshots: [...]}].
        const at = (e: SnapshotEntry) => { try { return parseTime(e.snapshot.time); } catch { return 0n; } };
        const groups = groupSnapshots(entries, groupBy).map((g) => ({ ...g, entries: [...g.entries].sort((a, b) => (at(a) < at(b) ? -1 : at(a) > at(b) ? 1 : 0)) }));
        if (c.json) {
          c.printJson(groups.map((g) => ({ group_key: groupKeyJson(g.key), snapshots: g.entries.map(snapshotEntryJson) })));
          return;
        }
        for (const g of groups) {
          const header = groupHeader(g.key);
          if (header) c.output(header);
          c.output(snapshotTable(g.entries));
        }
        return;
      }
      if (c.json) {
        c.printJson(entries.map(snapshotJson));
        return;
      }
      const rows = entries.map((e) => [shortId(e.id), formatLocalTime(e.snapshot.time), e.snapshot.hostname ?? '', (e.snapshot.tags ?? []).join(','), e.snapshot.paths.join('\n')]);
      // Multi-path snapshots print one path per line, as restic does.
      const flat = rows.flatMap((r) => {
        const paths = r[4].split('\n');
        return [[...r.slice(0, 4), paths[0]], ...paths.slice(1).map((p) => ['', '', '', '', p])];
      });
      c.output(table(['ID', 'Time', 'Host', 'Tags', 'Paths'], flat, `${entries.length} snapshots`));
    });
}
