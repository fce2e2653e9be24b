// Validation of the small JSON objects read from a repository (config, keys, locks, snapshots):
// everything read from a backend is untrusted, and a failure becomes a CairnError that names the
// object and the field. Hand-written rather than zod because every command reads these objects:
// loading zod's ~100 modules cost ~0.1 s CPU and ~19 MiB of memory per run, as much as the rest
// of a no-change backup's start-up. The builders mirror the zod calls they replaced.
import { CairnError } from '../errors.ts';

class Invalid extends Error {
  readonly path: (string | number)[];
  constructor(path: (string | number)[], message: string) {
    super(message);
    this.path = path;
  }
}

type Parse<T> = (value: unknown, path: (string | number)[]) => T;

/** A check of one value; `parse` returns it (with defaults filled in) or throws Invalid. */
export class Schema<T> {
  readonly parse: Parse<T>;

  constructor(parse: Parse<T>) {
    this.parse = parse;
  }

  /** Also accepts undefined. */
  optional(): OptionalSchema<T> {
    return new OptionalSchema<T>((v, p) => (v === undefined ? undefined : this.parse(v, p)));
  }

  /** Also accepts undefined and null. */
  nullish(): Schema<T | null | undefined> {
    return new Schema<T | null | undefined>((v, p) => (v === undefined || v === null ? v : this.parse(v, p)));
  }
}

class OptionalSchema<T> extends Schema<T | undefined> {
  /** `fallback` in place of undefined. */
  default(fallback: T): Schema<T> {
    return new Schema<T>((v, p) => (v === undefined ? fallback : (this.parse(v, p) as T)));
  }
}

class StringSchema extends Schema<string> {
  private readonly checks: ((s: string, p: (string | number)[]) => void)[];

  constructor(checks: ((s: string, p: (string | number)[]) => void)[] = []) {
    super((v, p) => {
      if (typeof v !== 'string') throw new Invalid(p, `expected a string, got ${kindOf(v)}`);
      for (const c of checks) c(v, p);
      return v;
    });
    this.checks = checks;
  }

  regex(re: RegExp, message = `expected text matching ${re}`): StringSchema {
    return new StringSchema([...this.checks, (s, p) => { if (!re.test(s)) throw new Invalid(p, message); }]);
  }

  min(n: number): StringSchema {
    return new StringSchema([...this.checks, (s, p) => { if (s.length < n) throw new Invalid(p, `expected at least ${n} characters`); }]);
  }
}

class NumberSchema extends Schema<number> {
  private readonly checks: ((n: number, p: (string | number)[]) => void)[];

  constructor(checks: ((n: number, p: (string | number)[]) => void)[] = []) {
    super((v, p) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new Invalid(p, `expected a number, got ${kindOf(v)}`);
      for (const c of checks) c(v, p);
      return v;
    });
    this.checks = checks;
  }

  int(): NumberSchema {
    return new NumberSchema([...this.checks, (n, p) => { if (!Number.isSafeInteger(n)) throw new Invalid(p, 'expected an integer'); }]);
  }

  positive(): NumberSchema {
    return new NumberSchema([...this.checks, (n, p) => { if (!(n > 0)) throw new Invalid(p, 'expected a number > 0'); }]);
  }

  nonnegative(): NumberSchema {
    return new NumberSchema([...this.checks, (n, p) => { if (!(n >= 0)) throw new Invalid(p, 'expected a number >= 0'); }]);
  }
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : typeof v;
}

type Shape = Record<string, Schema<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: S[K] extends Schema<infer T> ? T : never };

function objectSchema<S extends Shape, Extra>(shape: S, keepUnknown: boolean): Schema<Out<S> & Extra> {
  const keys = Object.keys(shape);
  return new Schema((v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid(p, `expected an object, got ${kindOf(v)}`);
    const input = v as Record<string, unknown>;
    const out: Record<string, unknown> = keepUnknown ? { ...input } : {};
    for (const k of keys) {
      const value = shape[k].parse(input[k], [...p, k]);
      if (value !== undefined || k in input) out[k] = value;
    }
    return out as Out<S> & Extra;
  });
}

export const z = {
  string: () => new StringSchema(),
  number: () => new NumberSchema(),
  boolean: () => new Schema<boolean>((v, p) => {
    if (typeof v !== 'boolean') throw new Invalid(p, `expected true or false, got ${kindOf(v)}`);
    return v;
  }),
  array: <T>(item: Schema<T>) => new Schema<T[]>((v, p) => {
    if (!Array.isArray(v)) throw new Invalid(p, `expected a list, got ${kindOf(v)}`);
    return v.map((x, i) => item.parse(x, [...p, i]));
  }),
  /** An object; fields not in the shape are dropped. */
  object: <S extends Shape>(shape: S) => objectSchema<S, unknown>(shape, false),
  /** An object; fields not in the shape are kept as they are. */
  looseObject: <S extends Shape>(shape: S) => objectSchema<S, Record<string, unknown>>(shape, true),
};

export const hexId = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-digit hex id');
export const uint = z.number().int().nonnegative();
export const rfc3339 = z.string().min(1);

export function validate<T>(schema: Schema<T>, value: unknown, what: string): T {
  try {
    return schema.parse(value, []);
  } catch (err) {
    if (!(err instanceof Invalid)) throw err;
    const where = err.path.length ? ` at ${err.path.join('.')}` : '';
    throw new CairnError('CORRUPT_OBJECT', `${what} is malformed${where}: ${err.message}; the repository is damaged, run "cairn check"`);
  }
}
