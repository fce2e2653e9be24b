// Polynomials over GF(2) packed into bigints (bit i = coefficient of x^i), as restic's chunker
// uses them: only at set-up (tables, a new repository's random polynomial), never per byte.
import crypto from 'node:crypto';

export function degree(x: bigint): number {
  return x === 0n ? -1 : x.toString(2).length - 1;
}

export function mod(x: bigint, m: bigint): bigint {
  const dm = degree(m);
  if (dm < 0) throw new RangeError('polynomial division by zero');
  for (let dx = degree(x); dx >= dm; dx = degree(x)) x ^= m << BigInt(dx - dm);
  return x;
}

function mulMod(a: bigint, b: bigint, m: bigint): bigint {
  let result = 0n;
  a = mod(a, m);
  for (; b !== 0n; b >>= 1n) {
    if (b & 1n) result ^= a;
    a = mod(a << 1n, m);
  }
  return mod(result, m);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, mod(a, b)];
  return a;
}

/** Ben-Or's test: f is irreducible iff gcd(f, x^(2^i) - x mod f) = 1 for i = 1 .. deg/2. */
export function isIrreducible(f: bigint): boolean {
  let power = 2n; // x
  for (let i = 1; i <= degree(f) >> 1; i++) {
    power = mulMod(power, power, f); // x^(2^i)
    if (gcd(f, power ^ 2n) !== 1n) return false;
  }
  return true;
}

/** A random irreducible polynomial of degree 53, chosen as restic chooses one. */
export function randomPolynomial(): bigint {
  for (let tries = 0; tries < 1_000_000; tries++) {
    let f = crypto.randomBytes(8).readBigUInt64LE(0);
    f &= (1n << 54n) - 1n;
    f |= (1n << 53n) | 1n;
    if (isIrreducible(f)) return f;
  }
  throw new Error('no irreducible polynomial found in a million tries');
}
