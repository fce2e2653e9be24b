// Flags shared by commands that select snapshots (--host, --tag, --path).
import type { SnapshotFilter } from '../../src-worker/index.ts';

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
