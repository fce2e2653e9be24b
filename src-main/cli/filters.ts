// Flags shared by commands that select snapshots (--host, --tag, --path).
import type { Command } from 'commander';
import { splitTagList, type SnapshotFilter, type SnapshotSelection } from '../../src-worker/index.ts';

export interface FilterFlags {
  host?: string[];
  tag?: string[];
  path?: string[];
}

/** commander helper for repeatable options. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function filterFrom(f: FilterFlags): SnapshotFilter {
  return { hosts: f.host ?? [], tags: f.tag ?? [], paths: f.path ?? [] };
}

/** Explicit ids (prefixes, "latest") plus the filters, for selectSnapshots. */
export function selectionFrom(ids: string[], f: FilterFlags): SnapshotSelection {
  return { ids, hosts: f.host ?? [], tags: (f.tag ?? []).map(splitTagList), paths: f.path ?? [] };
}

/** Adds --host/--tag/--path for commands that take a snapshot reference such as "latest". */
export function withLatestFilters(cmd: Command): Command {
  return cmd
    .option('-H, --host <host>', 'with "latest": only snapshots of this host (repeatable)', collect)
    .option('--tag <taglist>', 'with "latest": only snapshots with these tags (repeatable)', collect)
    .option('--path <path>', 'with "latest": only snapshots including this path (repeatable)', collect);
}
