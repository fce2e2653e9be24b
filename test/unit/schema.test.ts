// The hand-written validator that replaced zod for config, key, lock and snapshot objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSnapshot } from '../../src-worker/format/snapshot.ts';
import { decodeLock } from '../../src-worker/format/lock.ts';
import { hexId, validate, z } from '../../src-worker/format/schema.ts';

const ID = 'a'.repeat(64);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('expected a refusal');
}

test('valid objects pass with defaults filled in; object drops unknown fields, looseObject keeps them', () => {
  const strict = z.object({ n: z.number().int().positive(), s: z.string().optional().default('x'), o: z.string().optional() });
  assert.deepEqual(validate(strict, { n: 3, extra: 1 }, 'thing'), { n: 3, s: 'x' });
  assert.deepEqual(validate(strict, { n: 3, s: 'y', o: undefined }, 'thing'), { n: 3, s: 'y', o: undefined });
  const loose = z.looseObject({ t: z.string(), tags: z.array(z.string()).nullish() });
  assert.deepEqual(validate(loose, { t: 'now', tags: null, extra: [1] }, 'thing'), { t: 'now', tags: null, extra: [1] });
});

test('each kind of bad value is refused naming the object and the field', () => {
  const s = z.object({ id: hexId, n: z.number().int().nonnegative(), b: z.boolean().optional(), l: z.array(z.string()), m: z.string().min(1) });
  const ok = { id: ID, n: 0, l: ['a'], m: 'x' };
  assert.deepEqual(validate(s, ok, 'thing'), ok);
  const cases: [unknown, string][] = [
    [null, 'thing is malformed: expected an object, got null'],
    [[], 'thing is malformed: expected an object, got a list'],
    [{ ...ok, id: 'xyz' }, 'thing is malformed at id: expected a 64-digit hex id'],
    [{ ...ok, n: -1 }, 'thing is malformed at n: expected a number >= 0'],
    [{ ...ok, n: 1.5 }, 'thing is malformed at n: expected an integer'],
    [{ ...ok, n: '1' }, 'thing is malformed at n: expected a number, got string'],
    [{ ...ok, n: Infinity }, 'thing is malformed at n: expected a number, got number'],
    [{ ...ok, b: 'yes' }, 'thing is malformed at b: expected true or false, got string'],
    [{ ...ok, l: ['a', 2] }, 'thing is malformed at l.1: expected a string, got number'],
    [{ ...ok, l: undefined }, 'thing is malformed at l: expected a list, got undefined'],
    [{ ...ok, m: '' }, 'thing is malformed at m: expected at least 1 characters'],
  ];
  for (const [value, message] of cases) {
    assert.equal(refusal(() => validate(s, value, 'thing')), `${message}; the repository is damaged, run "cairn check"`);
  }
});

test('snapshots and locks decode as before and name the bad field', () => {
  const sn = decodeSnapshot({ time: '2024-01-01T00:00:00Z', tree: ID, paths: ['/a'], parent: null, hostname: 'h', tags: null, uid: 0 }, ID);
  assert.deepEqual(sn, { time: '2024-01-01T00:00:00Z', tree: ID, paths: ['/a'], hostname: 'h' });
  assert.match(refusal(() => decodeSnapshot({ time: 't', tree: 'nope' }, ID)), /^snapshot aaaaaaaa is malformed at tree: expected a 64-digit hex id/);
  assert.match(refusal(() => decodeSnapshot({ time: 't', tree: ID, paths: '/a' }, ID)), /at paths: expected a list/);
  const lock = decodeLock({ time: 't', pid: 5, other: 'kept' }, ID);
  assert.deepEqual(lock, { time: 't', pid: 5, other: 'kept', exclusive: false, hostname: '', username: '' });
  assert.match(refusal(() => decodeLock({ time: 't', exclusive: 'yes' }, ID)), /^lock aaaaaaaa is malformed at exclusive: expected true or false/);
});
