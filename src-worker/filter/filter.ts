// Path patterns with restic 0.14's semantics (internal/filter): used by backup --exclude and by
// restore --include/--exclude.
//
// A pattern is cleaned like Go's filepath.Clean and split on '/'. Each component is a Go
// filepath.Match glob (`*`, `?`, `[...]` / `[^...]`, backslash escapes); a component that is
// exactly `**` matches any number (zero included) of path components. A pattern starting with '/'
// is anchored at the root; any other pattern may start at any component of the path. A pattern
// also matches every path below something it matches (`foo` matches `/a/foo/b`). In a list, a
// pattern starting with '!' re-includes what earlier patterns matched: the last pattern that
// matches a path decides.

import { CairnError } from '../errors.ts';

export interface CompiledPatterns {
  /** True when the last pattern of the list that matches `path` is not a negation. */
  match(path: string): boolean;
  /** True when something below the directory `path` could be matched (restic's ListWithChild). */
  childMayMatch(path: string): boolean;
  /** The effective patterns: non-empty, environment variables expanded, case as given. */
  readonly patterns: string[];
}

export interface CompileOptions {
  /** Lower-case patterns and paths before matching (restic's --iexclude / --iinclude). */
  caseInsensitive?: boolean;
  /** Expand $VAR / ${VAR} from the environment ($$ is a literal $). Default true. */
  expandEnv?: boolean;
  /** Where the patterns come from, for error messages (e.g. 'exclude file /etc/backup.excl'). */
  source?: string;
}

// One component of a pattern.
//   lit:  compared for equality (restic's "simple" parts, and the root marker '/')
//   glob: a Go filepath.Match pattern compiled to an anchored RegExp
//   any:  '**'
type Part = { kind: 'lit'; text: string } | { kind: 'glob'; re: RegExp } | { kind: 'any' };

interface Pattern {
  negated: boolean;
  absolute: boolean;
  parts: Part[];
  /** Index of the first '**' part, or -1. */
  firstAny: number;
}

const ROOT = '/';

export function compilePatterns(list: string[], opts: CompileOptions = {}): CompiledPatterns {
  const expand = opts.expandEnv === true;
  const ci = opts.caseInsensitive === true;
  const effective: string[] = [];
  const compiled: Pattern[] = [];
  const invalid: string[] = [];

  for (const raw of list) {
    const text = expand ? expandEnv(raw) : raw;
    if (text === '') continue; // restic ignores empty patterns
    effective.push(text);
    try {
      compiled.push(parsePattern(ci ? goToLower(text) : text));
    } catch (err) {
      if (!(err instanceof PatternSyntaxError)) throw err;
      invalid.push(`"${text}" (${err.message})`);
    }
  }

  if (invalid.length > 0) {
    const where = opts.source ? ` in ${opts.source}` : '';
    const what = invalid.length === 1 ? 'invalid pattern' : 'invalid patterns';
    throw new CairnError('INVALID_ARGUMENT', `${what}${where}: ${invalid.join(', ')}; fix the glob syntax or remove the pattern`);
  }

  const hasNegation = compiled.some((p) => p.negated);

  return {
    patterns: effective,

    match(path: string): boolean {
      if (compiled.length === 0 || path === '') return false;
      const strs = splitPath(ci ? goToLower(path) : path);
      if (!hasNegation) {
        for (const p of compiled) if (matchPattern(p, strs)) return true;
        return false;
      }
      // The last matching pattern decides.
      for (let i = compiled.length - 1; i >= 0; i--) {
        const p = compiled[i];
        if (matchPattern(p, strs)) return !p.negated;
      }
      return false;
    },

    childMayMatch(path: string): boolean {
      if (compiled.length === 0 || path === '') return false;
      const strs = splitPath(ci ? goToLower(path) : path);
      // restic folds left: a positive pattern ORs in its child match, a negated pattern that
      // matches the path itself resets the result to false. Walking from the end is equivalent.
      for (let i = compiled.length - 1; i >= 0; i--) {
        const p = compiled[i];
        if (p.negated) {
          if (matchPattern(p, strs)) return false;
        } else if (childMatch(p, strs)) {
          return true;
        }
      }
      return false;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Matching

function splitPath(p: string): string[] {
  const parts = p.split('/');
  if (parts[0] === '') parts[0] = ROOT;
  return parts;
}

function partMatches(part: Part, s: string): boolean {
  if (part.kind === 'lit') return part.text === s;
  if (part.kind === 'glob') return part.re.test(s);
  return s !== ROOT; // '**' expands to '*' components, and Go's '*' never matches '/'
}

/** Does the pattern match the path or one of its ancestors? */
function matchPattern(p: Pattern, strs: string[]): boolean {
  const parts = p.parts;
  if (p.absolute) return matchFrom(parts, 0, strs, 0);
  // A relative pattern may start at any component, but never on the root marker.
  const first = strs[0] === ROOT ? 1 : 0;
  if (p.firstAny < 0) {
    // The common case: a fixed number of components slid along the path.
    const last = strs.length - parts.length;
    for (let off = last; off >= first; off--) {
      let ok = true;
      for (let i = parts.length - 1; i >= 0; i--) {
        if (!partMatches(parts[i], strs[off + i])) {
          ok = false;
          break;
        }
      }
      if (ok) return true;
    }
    return false;
  }
  for (let off = first; off < strs.length; off++) {
    if (matchFrom(parts, 0, strs, off)) return true;
  }
  return false;
}

/** Does parts[pi..] match a prefix of strs[si..]? */
function matchFrom(parts: Part[], pi: number, strs: string[], si: number): boolean {
  while (pi < parts.length) {
    const part = parts[pi];
    if (part.kind === 'any') {
      // Try zero components first, then one more each time.
      for (let k = si; ; k++) {
        if (matchFrom(parts, pi + 1, strs, k)) return true;
        if (k >= strs.length || strs[k] === ROOT) return false;
      }
    }
    if (si >= strs.length || !partMatches(part, strs[si])) return false;
    pi++;
    si++;
  }
  return true;
}

/**
 * restic's childMatch: a relative pattern can always match further down; an absolute one only
 * if the path agrees with the pattern's leading components up to the first '**'.
 */
function childMatch(p: Pattern, strs: string[]): boolean {
  if (!p.absolute) return true;
  let l = Math.min(strs.length, p.parts.length);
  if (p.firstAny >= 0 && p.firstAny < l) l = p.firstAny;
  for (let i = 0; i < l; i++) {
    if (!partMatches(p.parts[i], strs[i])) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Parsing

class PatternSyntaxError extends Error {}

function parsePattern(text: string): Pattern {
  let negated = false;
  let body = text;
  if (body.startsWith('!')) {
    negated = true;
    body = body.slice(1);
  }
  const comps = splitPath(goClean(body));
  const parts: Part[] = [];
  let firstAny = -1;
  for (let i = 0; i < comps.length; i++) {
    const c = comps[i];
    if (i === 0 && c === ROOT) {
      parts.push({ kind: 'lit', text: ROOT });
    } else if (c === '**' || c === '') {
      // '' only appears for the pattern "/", which restic treats like "/**".
      if (firstAny < 0) firstAny = parts.length;
      parts.push({ kind: 'any' });
    } else if (!/[\\[\]*?]/.test(c)) {
      parts.push({ kind: 'lit', text: c });
    } else {
      parts.push({ kind: 'glob', re: new RegExp(`^${globToRegExpSource(c)}$`, 'u') });
    }
  }
  return { negated, absolute: parts[0]?.kind === 'lit' && parts[0].text === ROOT, parts, firstAny };
}

/** Go's path.Clean for '/'-separated paths. */
export function goClean(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const c of p.split('/')) {
    if (c === '' || c === '.') continue;
    if (c === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(c);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

const REGEX_SYNTAX = /[\\^$.*+?()[\]{}|/]/;

function literal(ch: string): string {
  return REGEX_SYNTAX.test(ch) ? '\\' + ch : ch;
}

function classChar(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Translates one component in Go's filepath.Match syntax into RegExp source (for the 'u' flag),
 * rejecting what Go rejects with ErrBadPattern.
 */
function globToRegExpSource(glob: string): string {
  let src = '';
  let i = 0;
  const n = glob.length;
  // Reads one class member (Go's getEsc) and returns its code point.
  const classMember = (): number => {
    if (i >= n) throw new PatternSyntaxError("unclosed '[' character class");
    let ch = glob[i];
    if (ch === '-' || ch === ']') throw new PatternSyntaxError(`'${ch}' must be escaped in a character class`);
    if (ch === '\\') {
      i++;
      if (i >= n) throw new PatternSyntaxError("unclosed '[' character class");
      ch = glob[i];
    }
    const cp = glob.codePointAt(i) as number;
    i += cp > 0xffff ? 2 : 1;
    if (i >= n) throw new PatternSyntaxError("unclosed '[' character class");
    return cp;
  };

  while (i < n) {
    const ch = glob[i];
    if (ch === '*') {
      while (glob[i] === '*') i++;
      src += '[^/]*';
    } else if (ch === '?') {
      src += '[^/]';
      i++;
    } else if (ch === '[') {
      i++;
      let negated = false;
      if (glob[i] === '^') {
        negated = true;
        i++;
      }
      let body = '';
      let members = 0;
      for (;;) {
        if (i < n && glob[i] === ']' && members > 0) {
          i++;
          break;
        }
        const lo = classMember();
        let hi = lo;
        if (glob[i] === '-') {
          i++;
          hi = classMember();
        }
        members++;
        // Go accepts reversed ranges and simply never matches them; a RegExp would not compile.
        if (lo <= hi) body += lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`;
      }
      src += negated ? `[^${body}]` : `[${body}]`;
    } else if (ch === '\\') {
      i++;
      if (i >= n) throw new PatternSyntaxError('trailing backslash');
      const cp = glob.codePointAt(i) as number;
      const s = String.fromCodePoint(cp);
      src += literal(s);
      i += s.length;
    } else {
      const cp = glob.codePointAt(i) as number;
      const s = String.fromCodePoint(cp);
      src += literal(s);
      i += s.length;
    }
  }
  return src;
}

// ---------------------------------------------------------------------------------------------
// Helpers shared with exclude.ts

/**
 * Go's strings.ToLower: per code point simple lower-casing (JavaScript's toLowerCase applies
 * context and multi-character mappings Go does not, e.g. U+0130 and final sigma).
 */
export function goToLower(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch === '\u0130' ? 'i' : ch.toLowerCase();
  return out;
}

/**
 * Go's os.Expand with restic's mapping for exclude files: $NAME and ${NAME} are replaced by the
 * environment variable (empty when unset), $$ by a literal $.
 */
export function expandEnv(s: string, env: Record<string, string | undefined> = process.env): string {
  if (!s.includes('$')) return s;
  const lookup = (name: string): string => (name === '$' ? '$' : (env[name] ?? ''));
  let out = '';
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '$' || j + 1 >= s.length) continue;
    out += s.slice(i, j);
    const [name, w] = shellName(s, j + 1);
    if (name === '' && w > 0) {
      // invalid syntax such as "${}": the characters are dropped
    } else if (name === '') {
      out += '$'; // '$' not followed by a name stays
    } else {
      out += lookup(name);
    }
    j += w;
    i = j + 1;
  }
  return out + s.slice(i);
}

function isShellSpecial(c: string): boolean {
  return '*#$@!?-0123456789'.includes(c);
}

function isAlnum(c: string): boolean {
  return /^[A-Za-z0-9_]$/.test(c);
}

// Go's getShellName, on s starting at `at`: returns the name and how many characters it used.
function shellName(s: string, at: number): [string, number] {
  if (s[at] === '{') {
    if (s.length - at > 2 && isShellSpecial(s[at + 1]) && s[at + 2] === '}') return [s[at + 1], 3];
    for (let k = at + 1; k < s.length; k++) {
      if (s[k] === '}') {
        if (k === at + 1) return ['', 2];
        return [s.slice(at + 1, k), k - at + 1];
      }
    }
    return ['', 1];
  }
  if (isShellSpecial(s[at])) return [s[at], 1];
  let k = at;
  while (k < s.length && isAlnum(s[k])) k++;
  return [s.slice(at, k), k - at];
}
