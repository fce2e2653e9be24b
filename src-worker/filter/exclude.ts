// Backup exclusion with restic 0.14's rules (cmd/restic/exclude.go and cmd_backup.go):
// --exclude/--iexclude patterns and pattern files, --exclude-if-present, --exclude-caches and
// --exclude-larger-than.

import { open, lstat, readFile } from 'node:fs/promises';
import { CairnError, fromSystemError } from '../errors.ts';
import { compilePatterns, expandEnv, type CompiledPatterns } from './filter.ts';
import { fsPath } from '../format/raw-names.ts';

export interface ExcludeOptions {
  exclude?: string[];
  iexclude?: string[];
  /** Files with one pattern per line; '#' comments and blank lines ignored, lines trimmed, $VAR expanded. */
  excludeFiles?: string[];
  iexcludeFiles?: string[];
  /** Same as excludeIfPresent 'CACHEDIR.TAG:Signature: 8a477f597d28d172789f06886806bc55'. */
  excludeCaches?: boolean;
  /** 'FILENAME' or 'FILENAME:HEADER': exclude the contents of directories holding that file (except the file). */
  excludeIfPresent?: string[];
  /** Exclude files (not directories) larger than this, e.g. '1k', '2M', '1G', '3T' (1024-based). */
  excludeLargerThan?: string;
  /** Receives restic's warnings about unreadable or malformed tag files. */
  onExcludeWarning?: (message: string) => void;
}

export interface Excluder {
  /** `path` is the absolute, '/'-separated snapshot path of an entry about to be saved. */
  isExcluded(path: string, st: { isDirectory: boolean; size: number }): boolean | Promise<boolean>;
  /** What restic 0.14 records in the snapshot's `excludes`: the --exclude patterns only. */
  readonly patterns: string[];
}

export const CACHEDIR_TAG_SPEC = 'CACHEDIR.TAG:Signature: 8a477f597d28d172789f06886806bc55';

export async function createExcluder(opts: ExcludeOptions): Promise<Excluder> {
  const warn = opts.onExcludeWarning ?? (() => {});

  // restic appends the patterns from files after the command-line ones, in one list per case
  // mode, so a '!' line in a file can re-include what an --exclude matched.
  // As restic: command-line patterns are taken literally (the shell already expanded them);
  // only lines of exclude files get $VAR expansion.
  const cli = opts.exclude ?? [];
  const icli = opts.iexclude ?? [];
  const fromFiles = await readPatternFiles(opts.excludeFiles ?? []);
  const ifromFiles = await readPatternFiles(opts.iexcludeFiles ?? []);

  const lists: CompiledPatterns[] = [];
  const sensitive = [...cli, ...fromFiles];
  const insensitive = [...icli, ...ifromFiles];
  if (sensitive.length > 0) lists.push(compilePatterns(sensitive, { expandEnv: false, source: 'the exclude patterns' }));
  if (insensitive.length > 0) lists.push(compilePatterns(insensitive, { expandEnv: false, caseInsensitive: true, source: 'the case-insensitive exclude patterns' }));

  const specs = [...(opts.excludeIfPresent ?? [])];
  if (opts.excludeCaches) specs.push(CACHEDIR_TAG_SPEC);
  const tags = specs.map((s) => new TagRule(s, warn));

  const maxSize = opts.excludeLargerThan ? parseSize(opts.excludeLargerThan) : undefined;

  return {
    patterns: cli,
    isExcluded(path: string, st: { isDirectory: boolean; size: number }): boolean | Promise<boolean> {
      for (const l of lists) if (l.match(path)) return true;
      if (maxSize !== undefined && !st.isDirectory && st.size > maxSize) return true;
      if (tags.length === 0) return false;

      const cut = path.lastIndexOf('/');
      const dir = path.slice(0, cut + 1); // with the trailing '/', like Go's filepath.Split
      const base = path.slice(cut + 1);
      let pending: Promise<boolean>[] | undefined;
      for (const t of tags) {
        const r = t.rejects(dir, base);
        if (r === true) return true;
        if (r !== false) (pending ??= []).push(r);
      }
      if (!pending) return false;
      return Promise.all(pending).then((rs) => rs.includes(true));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// --exclude-if-present / --exclude-caches

const TAG_CACHE_LIMIT = 4096;

/**
 * One 'FILENAME[:HEADER]' rule. Like restic it rejects every entry whose *parent* directory holds
 * the tag file (with the right header), except the tag file itself: the tagged directory is still
 * saved, holding only its tag file.
 */
class TagRule {
  private readonly name: string;
  private readonly header: Buffer;
  private readonly warn: (message: string) => void;
  private readonly cache = new Map<string, boolean | Promise<boolean>>();

  constructor(spec: string, warn: (message: string) => void) {
    if (spec === '') throw new CairnError('INVALID_ARGUMENT', 'exclude-if-present: the tag file name is empty; give FILENAME or FILENAME:HEADER');
    const colon = spec.indexOf(':');
    if (colon === 0) throw new CairnError('INVALID_ARGUMENT', `exclude-if-present "${spec}" has no file name before ':'; give FILENAME or FILENAME:HEADER`);
    this.name = colon > 0 ? spec.slice(0, colon) : spec;
    this.header = Buffer.from(colon > 0 ? spec.slice(colon + 1) : '', 'utf8');
    this.warn = warn;
  }

  rejects(dir: string, base: string): boolean | Promise<boolean> {
    if (base === this.name) return false; // never exclude the tag file itself
    const hit = this.cache.get(dir);
    if (hit !== undefined) return hit;
    if (this.cache.size >= TAG_CACHE_LIMIT) this.cache.clear();
    const p = this.check(dir).then((r) => {
      if (this.cache.get(dir) === p) this.cache.set(dir, r);
      return r;
    });
    this.cache.set(dir, p);
    return p;
  }

  private async check(dir: string): Promise<boolean> {
    const tagPath = localPath(dir + this.name);
    try {
      await lstat(fsPath(tagPath));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.warn(`could not access exclusion tagfile ${tagPath}: ${(err as Error).message}`);
      return false;
    }
    // Without a header the mere presence of the file is enough.
    if (this.header.length === 0) return true;
    let fh;
    try {
      fh = await open(fsPath(tagPath), 'r');
    } catch (err) {
      this.warn(`could not open exclusion tagfile ${tagPath}: ${(err as Error).message}`);
      return false;
    }
    try {
      const buf = Buffer.alloc(this.header.length);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got < buf.length) {
        this.warn(`invalid (too short) signature in exclusion tagfile ${tagPath}`);
        return false;
      }
      if (!buf.equals(this.header)) {
        this.warn(`invalid signature in exclusion tagfile ${tagPath}`);
        return false;
      }
      return true;
    } catch (err) {
      this.warn(`could not read signature from exclusion tagfile ${tagPath}: ${(err as Error).message}`);
      return false;
    } finally {
      await fh.close().catch(() => {});
    }
  }
}

/** Snapshot paths on Windows look like /C/Users/x; the file system wants C:/Users/x. */
function localPath(p: string): string {
  if (process.platform !== 'win32') return p;
  const m = /^\/([A-Za-z])(\/.*)?$/.exec(p);
  return m ? `${m[1]}:${m[2] ?? '/'}` : p;
}

// ---------------------------------------------------------------------------------------------
// Pattern files

async function readPatternFiles(files: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const file of files) {
    let data: Buffer;
    try {
      data = await readFile(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw new CairnError('INVALID_ARGUMENT', `exclude file ${file} cannot be read (${code}): check the path`, { cause: err });
      }
      throw fromSystemError(err, `exclude file ${file}`);
    }
    const patterns = parsePatternFile(decodeText(data));
    // Validate per file so the error names the file (restic checks the whole list the same way).
    compilePatterns(patterns, { expandEnv: false, source: `exclude file ${file}` });
    out.push(...patterns);
  }
  return out;
}

/** Lines of an exclude file as restic reads them: trimmed, no blanks, no '#' comments, $VAR expanded. */
export function parsePatternFile(text: string, env: Record<string, string | undefined> = process.env): string[] {
  const out: string[] = [];
  for (let line of text.split('\n')) {
    if (line.endsWith('\r')) line = line.slice(0, -1);
    line = goTrimSpace(line);
    if (line === '' || line.startsWith('#')) continue;
    out.push(expandEnv(line, env));
  }
  return out;
}

/** restic's textfile.Read: strips a UTF-8 BOM and decodes UTF-16 when it has a BOM. */
function decodeText(data: Buffer): string {
  if (data.length >= 3 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) return data.subarray(3).toString('utf8');
  const le = data.length >= 2 && data[0] === 0xff && data[1] === 0xfe;
  const be = data.length >= 2 && data[0] === 0xfe && data[1] === 0xff;
  if (!le && !be) return data.toString('utf8');
  const even = data.subarray(2, 2 + ((data.length - 2) & ~1));
  const units = Buffer.from(even);
  if (be) units.swap16();
  return units.toString('utf16le') + (data.length % 2 === 1 ? '\ufffd' : '');
}

// Go's unicode.IsSpace set (JavaScript's trim() also strips U+FEFF and keeps U+0085).
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g;

function goTrimSpace(s: string): string {
  return s.replace(GO_SPACE, '');
}

// ---------------------------------------------------------------------------------------------
// Sizes

/**
 * restic's parseSizeStr: an integer with an optional unit b/B, k/K, m/M, g/G or t/T (powers of
 * 1024). Like restic, a sign is accepted.
 */
export function parseSize(s: string): number {
  const bad = (why: string): CairnError =>
    new CairnError('INVALID_ARGUMENT', `invalid size "${s}" (${why}): give a whole number with an optional unit k, M, G or T (1024-based), e.g. 500M`);
  if (s === '') throw bad('empty');
  const units: Record<string, bigint> = { b: 1n, k: 1024n, m: 1024n ** 2n, g: 1024n ** 3n, t: 1024n ** 4n };
  let num = s;
  let unit = 1n;
  const u = units[s[s.length - 1].toLowerCase()];
  if (u !== undefined) {
    num = s.slice(0, -1);
    unit = u;
  }
  if (!/^[+-]?[0-9]+$/.test(num)) throw bad('not a number');
  const value = BigInt(num);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) throw bad('out of range');
  const bytes = value * unit;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER) || bytes < BigInt(Number.MIN_SAFE_INTEGER)) throw bad('too large');
  return Number(bytes);
}
