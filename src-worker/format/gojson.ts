// JSON text the way Go's encoding/json (Go 1.19, which built restic 0.14) writes it, so the objects
// Cairn stores are byte-for-byte what restic would store for the same values. The differences from
// JSON.stringify: '<', '>', '&', U+2028 and U+2029 are escaped; \b and \f are written as \u0008 and
// \u000c; invalid UTF-16 (lone surrogates) becomes U+FFFD, as Go replaces invalid UTF-8.

const NEEDS_FIXUP = /[<>&\u2028\u2029\u0008\u000c\ud800-\udfff]/;

export function goString(s: string): string {
  const out = JSON.stringify(s);
  if (!NEEDS_FIXUP.test(s)) return out;
  return out
    .replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    .replace(/\\b/g, (m, offset: number, whole: string) => (isEscapeStart(whole, offset) ? '\\u0008' : m))
    .replace(/\\f/g, (m, offset: number, whole: string) => (isEscapeStart(whole, offset) ? '\\u000c' : m))
    .replace(/\\ud[89a-f][0-9a-f]{2}/g, (m, offset: number, whole: string) => (isEscapeStart(whole, offset) ? '\ufffd' : m));
}

// A backslash at `offset` starts an escape only if it is preceded by an even number of backslashes.
function isEscapeStart(text: string, offset: number): boolean {
  let n = 0;
  for (let i = offset - 1; i >= 0 && text.charCodeAt(i) === 0x5c; i--) n++;
  return n % 2 === 0;
}

/** Go's encoding of a []string field: null for nil, [] for empty. */
export function goStringArray(values: readonly string[] | null | undefined): string {
  if (values == null) return 'null';
  return '[' + values.map(goString).join(',') + ']';
}

/**
 * Serialises plain data (objects, arrays, strings, numbers, booleans, null) with Go's string
 * escaping and the key order of the object as given. Undefined members are left out.
 */
export function goJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return goString(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('cannot encode a non-finite number as JSON');
      return String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map((v) => (v === undefined ? 'null' : goJson(v))).join(',') + ']';
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined) continue;
        parts.push(goString(k) + ':' + goJson(v));
      }
      return '{' + parts.join(',') + '}';
    }
    default:
      throw new TypeError(`cannot encode ${typeof value} as JSON`);
  }
}
