// Extended attributes (user.* tags, POSIX ACLs as system.posix_acl_*, SELinux labels, macOS
// Finder tags): restic records them for every file and directory (not symlinks) as name/value
// pairs, the value base64 in the JSON, and sets them again on restore. Node has no xattr API, so
// this uses @napi-rs/xattr (prebuilt, an optional dependency); where it has no binary (Windows,
// or a platform without one), attributes are neither recorded nor restored, as on Windows restic.
import { createRequire } from 'node:module';
import type { ExtendedAttribute } from '../format/tree.ts';
import { hasRawBytes } from '../format/raw-names.ts';

interface XattrApi {
  listAttributesSync(path: string): string[];
  getAttributeSync(path: string, name: string): Buffer | null;
  setAttributeSync(path: string, name: string, value: Uint8Array): void;
}

let api: XattrApi | null | undefined;
function xattrApi(): XattrApi | null {
  if (api === undefined) {
    try {
      api = createRequire(import.meta.url)('@napi-rs/xattr') as XattrApi;
    } catch {
      api = null;
    }
  }
  return api;
}

// The binding reports errors as "... (os error N)"; these numbers mean "no attributes here".
const ENODATA = 61;
const ENOTSUP = 95;
function osError(err: unknown): number | undefined {
  const m = /os error (\d+)/.exec(err instanceof Error ? err.message : String(err));
  return m ? Number(m[1]) : undefined;
}
const meansNone = (err: unknown) => {
  const code = osError(err);
  return code === ENOTSUP || code === ENODATA;
};

/**
 * The attributes of `path` in the order the system lists them (as restic stores them); undefined
 * when there are none or they cannot be read here. An attribute that vanishes between list and
 * read is left out; `warn` hears of any other failure.
 */
export function readExtendedAttributes(path: string, warn: (message: string) => void): ExtendedAttribute[] | undefined {
  const x = xattrApi();
  // The binding takes paths as UTF-8 strings: a name that is not UTF-8 cannot be passed to it.
  if (!x || hasRawBytes(path)) return undefined;
  let names: string[];
  try {
    names = x.listAttributesSync(path);
  } catch (err) {
    if (!meansNone(err)) warn(`cannot list extended attributes: ${(err as Error).message}`);
    return undefined;
  }
  if (names.length === 0) return undefined;
  const out: ExtendedAttribute[] = [];
  for (const name of names) {
    try {
      const value = x.getAttributeSync(path, name);
      if (value !== null) out.push({ name, value: value.toString('base64') });
    } catch (err) {
      if (!meansNone(err)) warn(`cannot read extended attribute ${name}: ${(err as Error).message}`);
    }
  }
  return out.length ? out : undefined;
}

/**
 * Sets the node's attributes on `path`. Like restic 0.14, a failure (an attribute this user may
 * not set, a file system without them) does not fail the restore; the count of failures is returned.
 */
export function writeExtendedAttributes(path: string, attrs: readonly ExtendedAttribute[] | undefined): number {
  const x = xattrApi();
  if (!attrs?.length || !x || hasRawBytes(path)) return 0;
  let failed = 0;
  for (const a of attrs) {
    try {
      x.setAttributeSync(path, a.name, Buffer.from(a.value ?? '', 'base64'));
    } catch {
      failed++;
    }
  }
  return failed;
}
