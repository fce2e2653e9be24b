// The snapshot's root tree mirrors the paths of the backup targets: backing up /home/me/docs
// gives a root with "home", which holds "me", which holds "docs". These helpers build that
// skeleton and translate local paths to the slash form stored in snapshots.
import path from 'node:path';

export interface TargetDir {
  /** Local path of this directory or target. */
  path: string;
  isTarget: boolean;
  children: Map<string, TargetDir>;
}

/** restic's path form: forward slashes, and on Windows the drive as a first component (C:\x → /C/x). */
export function toSnapshotPath(local: string): string {
  if (path.sep === '/') return local;
  const abs = path.resolve(local);
  const m = /^([A-Za-z]):\\?(.*)$/.exec(abs);
  if (m) return ('/' + m[1] + '/' + m[2].split('\\').join('/')).replace(/\/+$/, '') || '/';
  return abs.split('\\').join('/');
}

export interface Target {
  /** Absolute local path. */
  local: string;
  /** Its place in the snapshot's tree, as path components. */
  parts: string[];
  /** Local paths of the directories leading to it (same length as parts, last = local). */
  locals: string[];
}

/**
 * Where a backup argument goes in the snapshot's tree, as restic 0.14 places it: an absolute path
 * at its full path; a relative one at its cleaned relative path without leading "..", so
 * `backup docs` gives /docs and `backup ../x/docs` gives /x/docs (the snapshot's `paths` list the
 * absolute paths either way).
 */
export function targetFor(arg: string): Target {
  const local = path.resolve(arg);
  if (path.isAbsolute(arg)) {
    const parts = splitLocal(local);
    const root = path.parse(local).root;
    return { local, parts, locals: parts.map((_, i) => joinLocal(root, parts.slice(0, i + 1))) };
  }
  const segments = path.normalize(arg).split(path.sep).filter((p) => p !== '' && p !== '.');
  let up = 0;
  while (segments[up] === '..') up++;
  const prefix = segments.slice(0, up);
  const parts = segments.slice(up);
  return { local, parts, locals: parts.map((_, i) => path.resolve(...prefix, ...parts.slice(0, i + 1))) };
}

/**
 * Builds the skeleton of the root tree. A target inside another target is dropped (the outer one
 * covers it); a target at the root (the file system root, or ".") makes the whole tree a target.
 */
export function buildTargetTree(targets: Target[]): TargetDir {
  const rootTarget = targets.find((t) => t.parts.length === 0);
  const root: TargetDir = { path: rootTarget?.local ?? (path.parse(targets[0]?.local ?? '/').root || '/'), isTarget: false, children: new Map() };
  const sorted = [...targets].sort((a, b) => a.parts.length - b.parts.length);
  for (const target of sorted) {
    const parts = target.parts;
    if (parts.length === 0) {
      root.isTarget = true;
      continue;
    }
    let dir = root;
    let covered = root.isTarget;
    for (let i = 0; i < parts.length && !covered; i++) {
      let child = dir.children.get(parts[i]!);
      if (!child) {
        child = { path: target.locals[i]!, isTarget: false, children: new Map() };
        dir.children.set(parts[i]!, child);
      }
      if (child.isTarget) covered = true;
      dir = child;
    }
    if (!covered) {
      dir.isTarget = true;
      dir.children.clear();
    }
  }
  return root;
}

function splitLocal(abs: string): string[] {
  const rest = abs.slice(path.parse(abs).root.length);
  const parts = rest.split(path.sep).filter((p) => p.length > 0);
  // On Windows, the drive letter becomes the first component of the snapshot path.
  const drive = /^([A-Za-z]):/.exec(abs);
  return path.sep === '\\' && drive ? [drive[1], ...parts] : parts;
}

function joinLocal(root: string, parts: string[]): string {
  if (path.sep === '\\' && parts.length > 0 && /^[A-Za-z]$/.test(parts[0])) return parts[0] + ':\\' + parts.slice(1).join('\\');
  return path.join(root, ...parts);
}
