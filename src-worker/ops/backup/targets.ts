// The snapshot's root tree mirrors the absolute paths of the backup targets: backing up
// /home/me/docs gives a root with "home", which holds "me", which holds "docs". These helpers
// build that skeleton and translate local paths to the slash form stored in snapshots.
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

/**
 * Builds the skeleton for absolute targets. A target inside another target is dropped (the outer
 * one covers it); the root directory as a target makes the whole tree a target.
 */
export function buildTargetTree(absTargets: string[]): TargetDir {
  const root: TargetDir = { path: path.parse(absTargets[0] ?? '/').root || '/', isTarget: false, children: new Map() };
  const sorted = [...absTargets].map((t) => path.resolve(t)).sort((a, b) => a.length - b.length);
  for (const target of sorted) {
    const parts = splitLocal(target);
    if (parts.length === 0) {
      root.isTarget = true;
      continue;
    }
    let dir = root;
    let covered = root.isTarget;
    for (let i = 0; i < parts.length && !covered; i++) {
      let child = dir.children.get(parts[i]);
      if (!child) {
        child = { path: joinLocal(root.path, parts.slice(0, i + 1)), isTarget: false, children: new Map() };
        dir.children.set(parts[i], child);
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
