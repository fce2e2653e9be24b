// Output helpers that reproduce how restic (Go) prints: its byte-size strings and the layout of
// encoding/json's MarshalIndent, so `cairn cat`, `diff` and `stats` print what restic prints.

/** restic's formatBytes: the unit switches only above 1024 of the smaller one ("1024 B"). */
export function resticBytes(n: number): string {
  const units: [number, string][] = [[2 ** 40, 'TiB'], [2 ** 30, 'GiB'], [2 ** 20, 'MiB'], [2 ** 10, 'KiB']];
  for (const [size, unit] of units) if (n > size) return `${(n / size).toFixed(3)} ${unit}`;
  return `${n} B`;
}

/**
 * Re-indents compact JSON text the way Go's json.Indent does with prefix "" and a two-space
 * indent: one member per line, ": " after keys, and empty objects and arrays kept as {} and [].
 */
export function indentJson(compact: string, indent = '  '): string {
  let out = '';
  let depth = 0;
  let inString = false;
  // Set after an opening bracket: the newline is written only once we know the value is not empty.
  let pendingOpen = false;
  const newline = () => '\n' + indent.repeat(depth);
  for (let i = 0; i < compact.length; i++) {
    const ch = compact[i];
    if (inString) {
      out += ch;
      if (ch === '\\') out += compact[++i];
      else if (ch === '"') inString = false;
      continue;
    }
    if (pendingOpen && ch !== ']' && ch !== '}') {
      pendingOpen = false;
      depth++;
      out += newline();
    }
    switch (ch) {
      case '"':
        inString = true;
        out += ch;
        break;
      case '{':
      case '[':
        out += ch;
        pendingOpen = true;
        break;
      case '}':
      case ']':
        if (pendingOpen) pendingOpen = false;
        else {
          depth--;
          out += newline();
        }
        out += ch;
        break;
      case ',':
        out += ',' + newline();
        break;
      case ':':
        out += ': ';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

// Re-exported for the commands that print node and snapshot times.
export { goTimeJson } from '../../src-worker/index.ts';
