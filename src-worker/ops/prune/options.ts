// The limits a prune works within, given as restic spells them: --max-unused ("5%", "10M",
// "unlimited") and --max-repack-size ("2G"). Parsed apart from the work so that callers (`prune`,
// `forget --prune`) can reject a bad value before they take a lock or touch the repository.
import { CairnError } from '../../errors.ts';
import { parseSize } from '../../filter/exclude.ts';

export interface PruneLimitOptions {
  /** Unused data to tolerate after pruning: "N%" of the used size, an absolute size, or "unlimited". Default "5%". */
  maxUnused?: string;
  /** Most bytes of packs to repack (restic's --max-repack-size); unlimited when omitted. */
  maxRepackSize?: string;
}

export interface PruneLimits {
  /** Unused bytes allowed to stay, given the bytes of used blobs. */
  maxUnusedBytes: (usedBytes: number) => number;
  maxRepackBytes: number;
}

/** Parses and checks the limit strings; throws INVALID_ARGUMENT naming the flag. */
export function parsePruneLimits(options: PruneLimitOptions): PruneLimits {
  return { maxUnusedBytes: parseMaxUnused(options.maxUnused ?? '5%'), maxRepackBytes: parseMaxRepackSize(options.maxRepackSize) };
}

/** Throws INVALID_ARGUMENT when a limit is malformed; for callers that check flags before locking. */
export function validatePruneOptions(options: PruneLimitOptions): void {
  parsePruneLimits(options);
}

function parseMaxUnused(text: string): (used: number) => number {
  const value = text.trim();
  const bad = (why: string) => new CairnError('INVALID_ARGUMENT',
    `invalid --max-unused "${text}": ${why}; give a percentage below 100% (e.g. 5%), a size (e.g. 500M) or "unlimited"`);
  if (value === '') throw bad('it is empty');
  if (value === 'unlimited') return () => Number.POSITIVE_INFINITY;
  if (value.endsWith('%')) {
    const num = value.slice(0, -1).trim();
    if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(num)) throw bad('not a number');
    const p = Number(num);
    if (p < 0) throw bad('the percentage must not be negative');
    if (p >= 100) throw bad('the percentage must be below 100%');
    // p% of the whole remaining size is unused: unused = p/(100-p) × used.
    return (used) => Math.floor((p / (100 - p)) * used);
  }
  let bytes: number;
  try {
    bytes = parseSize(value);
  } catch {
    throw bad('not a size');
  }
  return () => bytes;
}

function parseMaxRepackSize(text: string | undefined): number {
  if (text === undefined || text === '') return Number.POSITIVE_INFINITY;
  try {
    return parseSize(text.trim());
  } catch {
    throw new CairnError('INVALID_ARGUMENT', `invalid --max-repack-size "${text}": give a size with an optional unit k, M, G or T (1024-based), e.g. 2G`);
  }
}
