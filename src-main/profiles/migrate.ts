// Older profiles files are brought to the current version one step at a time (v1 → v2 → …), so
// each step is small and written once, against the shape it actually had. A step works on plain
// JSON and may not assume anything beyond its input version; the result is validated afterwards.
import { CairnError } from '../../src-worker/index.ts';
import { CURRENT_VERSION } from './schema.ts';

type Json = Record<string, unknown>;

/** migrations[n] turns a version-n document into a version-(n+1) one. */
const migrations: Record<number, (doc: Json) => Json> = {
  1: v1ToV2,
};

/**
 * v1 stored a plan's schedule as one string ("manual", "hourly", "daily", "every 30m",
 * "every 6h", or a cron expression) and had no watch mode. v2 makes the schedule a tagged object,
 * so the UI never has to parse a string to know which editor to show, and adds `watch`.
 */
function v1ToV2(doc: Json): Json {
  const plans = Array.isArray(doc.plans) ? doc.plans : [];
  return {
    ...doc,
    version: 2,
    plans: plans.map((plan: unknown, i: number) => {
      if (plan === null || typeof plan !== 'object') return plan;
      const p = plan as Json;
      return { ...p, schedule: scheduleFromV1(p.schedule, i), watch: p.watch ?? { enabled: false, debounceMinutes: 5 } };
    }),
  };
}

function scheduleFromV1(s: unknown, index: number): unknown {
  if (typeof s !== 'string') {
    throw new CairnError('CORRUPT_CONFIG', `plans[${index}].schedule in a version 1 profiles file must be a string`);
  }
  const text = s.trim().toLowerCase();
  if (text === '' || text === 'manual') return { kind: 'manual' };
  if (text === 'hourly') return { kind: 'interval', minutes: 60 };
  if (text === 'daily') return { kind: 'interval', minutes: 24 * 60 };
  const every = /^every\s+(\d+)\s*(m|min|h)$/.exec(text);
  if (every) return { kind: 'interval', minutes: Number(every[1]) * (every[2] === 'h' ? 60 : 1) };
  return { kind: 'cron', expression: s.trim() };
}

export type MigrationOutcome =
  | { status: 'current'; doc: Json }
  | { status: 'migrated'; doc: Json; from: number }
  | { status: 'newer'; version: number }
  | { status: 'unknown-version'; version: unknown };

export function migrate(doc: Json): MigrationOutcome {
  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) return { status: 'unknown-version', version };
  if (version > CURRENT_VERSION) return { status: 'newer', version };
  if (version === CURRENT_VERSION) return { status: 'current', doc };
  let current = doc;
  for (let v = version; v < CURRENT_VERSION; v++) {
    const step = migrations[v];
    if (!step) throw new CairnError('INTERNAL', `no migration from profiles version ${v}: this is a bug in Cairn, please report it`);
    current = step(current);
  }
  return { status: 'migrated', doc: current, from: version };
}
