// restic 0.14's retention policy on hand-made histories: which snapshots stay, and why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyPolicy, describePolicy, emptyPolicy, groupSnapshots, hasTags, isCairnError, parseCount, parseDuration, parseGroupBy,
  type KeepPolicy, type SnapshotEntry,
} from '../../src-worker/index.ts';

const NOW = BigInt(Date.parse('2030-01-01T00:00:00Z')) * 1_000_000n;
let counter = 0;
function snap(time: string, extra: { tags?: string[]; host?: string; paths?: string[] } = {}): SnapshotEntry {
  const id = (++counter).toString(16).padStart(64, '0');
  return { id, snapshot: { time, tree: 'f'.repeat(64), paths: extra.paths ?? ['/data'], hostname: extra.host ?? 'h', ...(extra.tags ? { tags: extra.tags } : {}) } };
}
const policy = (p: Partial<KeepPolicy>): KeepPolicy => ({ ...emptyPolicy(), ...p });
const times = (l: SnapshotEntry[]) => l.map((e) => e.snapshot.time);
const d = (text: string) => parseDuration(text);

test('keep-last keeps the newest n, newest first, with counters counting down', () => {
  const list = ['2022-01-01T10:00:00Z', '2022-01-03T10:00:00Z', '2022-01-02T10:00:00Z', '2022-01-04T10:00:00Z'].map((t) => snap(t));
  const r = applyPolicy(list, policy({ last: 2 }), NOW);
  assert.deepEqual(times(r.keep), ['2022-01-04T10:00:00Z', '2022-01-03T10:00:00Z']);
  assert.deepEqual(times(r.remove), ['2022-01-02T10:00:00Z', '2022-01-01T10:00:00Z']);
  assert.deepEqual(r.reasons.map((x) => [x.matches, x.counters.last]), [[['last snapshot'], 1], [['last snapshot'], 0]]);
});

test('keep-daily keeps the newest snapshot of each day, and several rules add their reasons', () => {
  const list = ['2022-03-01T08:00:00Z', '2022-03-01T20:00:00Z', '2022-03-02T09:00:00Z', '2022-03-02T09:30:00Z', '2022-02-27T12:00:00Z'].map((t) => snap(t));
  const r = applyPolicy(list, policy({ daily: 2, last: 1, monthly: 5 }), NOW);
  assert.deepEqual(times(r.keep), ['2022-03-02T09:30:00Z', '2022-03-01T20:00:00Z', '2022-02-27T12:00:00Z']);
  assert.deepEqual(r.reasons[0]!.matches, ['last snapshot', 'daily snapshot', 'monthly snapshot']);
  assert.deepEqual(r.reasons[1]!.matches, ['daily snapshot']);
  assert.deepEqual(r.reasons[2]!.matches, ['monthly snapshot']);
  assert.deepEqual(r.reasons[2]!.counters, { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 3, yearly: 0 });
});

test('days, hours and weeks are those of the offset written in the snapshot, not UTC', () => {
  // 23:30 at -05:00 is 04:30 UTC the next day: by its own calendar it is still January 1st.
  const a = snap('2022-01-01T23:30:00-05:00');
  const b = snap('2022-01-01T22:00:00-05:00');
  const r = applyPolicy([a, b], policy({ daily: 5 }), NOW);
  assert.deepEqual(times(r.keep), ['2022-01-01T23:30:00-05:00'], 'one day in its own offset: only the newer one is kept');
  // 2021-01-03 is a Sunday in ISO week 2020-53, the same week as Thursday 2020-12-31.
  const w = applyPolicy([snap('2020-12-31T12:00:00Z'), snap('2021-01-03T12:00:00Z'), snap('2021-01-04T12:00:00Z')], policy({ weekly: 9 }), NOW);
  assert.deepEqual(times(w.keep), ['2021-01-04T12:00:00Z', '2021-01-03T12:00:00Z']);
});

test('keep-within counts back on the calendar from the newest snapshot, with Go\'s month rollover', () => {
  // March 31 minus one month is "February 31" = March 3 (2022 is no leap year): March 2 is out.
  const list = ['2022-03-31T12:00:00Z', '2022-03-03T12:00:01Z', '2022-03-03T12:00:00Z', '2022-03-02T12:00:00Z'].map((t) => snap(t));
  const r = applyPolicy(list, policy({ within: d('1m') }), NOW);
  assert.deepEqual(times(r.keep), ['2022-03-31T12:00:00Z', '2022-03-03T12:00:01Z'], 'strictly after the start of the window');
  assert.deepEqual(r.reasons[0]!.matches, ['within 1m']);
  const hours = applyPolicy([snap('2022-03-31T12:00:00Z'), snap('2022-03-30T13:00:00Z'), snap('2022-03-30T11:00:00Z')], policy({ within: d('1d') }), NOW);
  assert.equal(hours.keep.length, 2);
});

test('a snapshot dated in the future does not move the "within" window', () => {
  const r = applyPolicy([snap('2099-01-01T00:00:00Z'), snap('2022-01-10T00:00:00Z'), snap('2022-01-01T00:00:00Z')], policy({ within: d('2d') }), NOW);
  assert.deepEqual(times(r.keep), ['2099-01-01T00:00:00Z', '2022-01-10T00:00:00Z']);
});

test('keep-within-daily keeps the newest of each day inside the window, without a count', () => {
  const list = ['2022-05-10T18:00:00Z', '2022-05-10T08:00:00Z', '2022-05-09T20:00:00Z', '2022-05-08T20:00:00Z', '2022-05-01T20:00:00Z'].map((t) => snap(t));
  const r = applyPolicy(list, policy({ withinDaily: d('3d'), withinHourly: d('12h') }), NOW);
  assert.deepEqual(times(r.keep), ['2022-05-10T18:00:00Z', '2022-05-10T08:00:00Z', '2022-05-09T20:00:00Z', '2022-05-08T20:00:00Z']);
  assert.deepEqual(r.reasons.map((x) => x.matches), [['hourly within 12h', 'daily within 3d'], ['hourly within 12h'], ['daily within 3d'], ['daily within 3d']]);
  assert.deepEqual(r.reasons[0]!.counters, { last: 0, hourly: 0, daily: 0, weekly: 0, monthly: 0, yearly: 0 });
});

test('keep-tag keeps snapshots having all tags of a list; an empty tag means "no tags at all"', () => {
  const list = [snap('2022-01-03T00:00:00Z', { tags: ['a', 'b'] }), snap('2022-01-02T00:00:00Z', { tags: ['a'] }), snap('2022-01-01T00:00:00Z')];
  const r = applyPolicy(list, policy({ tags: [['a', 'b'], ['']] }), NOW);
  assert.deepEqual(r.reasons.map((x) => x.matches), [['has tags [a, b]'], ['has tags []']]);
  assert.deepEqual(times(r.remove), ['2022-01-02T00:00:00Z']);
  assert.equal(hasTags(['a'], ['a', '']), false);
  assert.equal(hasTags([], ['', 'x']), true);
});

test('an empty policy keeps everything, saying so', () => {
  const r = applyPolicy([snap('2022-01-01T00:00:00Z')], emptyPolicy(), NOW);
  assert.deepEqual(r.reasons[0]!.matches, ['policy is empty']);
  assert.equal(r.remove.length, 0);
});

test('the policy is described in restic\'s words', () => {
  assert.equal(describePolicy(policy({ last: 1, tags: [['t1']] })), 'keep 1 latest snapshots and all snapshots with tags [[t1]]');
  assert.equal(describePolicy(policy({ daily: 7, weekly: 4, withinDaily: d('7d'), within: d('1y2m'), tags: [['a', 'b'], ['c']] })),
    'keep 7 daily, 4 weekly snapshots, daily snapshots within 7d and all snapshots with tags [[a, b] [c]] and all snapshots within 1y2m of the newest');
});

test('durations parse like restic\'s and bad ones are refused with the flag named', () => {
  assert.deepEqual(parseDuration('1y2m3d4h'), { years: 1, months: 2, days: 3, hours: 4 });
  assert.deepEqual(parseDuration(' 4h1y '), { years: 1, months: 0, days: 0, hours: 4 });
  assert.deepEqual(parseDuration(''), { years: 0, months: 0, days: 0, hours: 0 });
  for (const bad of ['3x', '5', 'd', '1d2', '-1d', '1w', '1.5d', 'abc']) {
    assert.throws(() => parseDuration(bad, '--keep-within'), (e) => isCairnError(e, 'INVALID_ARGUMENT') && e.message.includes('--keep-within') && e.message.includes(`"${bad}"`), bad);
  }
});

test('counts parse like Go\'s flags (base prefixes) and negative or garbage counts are refused', () => {
  assert.equal(parseCount('7', '--keep-daily'), 7);
  assert.equal(parseCount('010', '--keep-daily'), 8);
  assert.equal(parseCount('0x10', '--keep-daily'), 16);
  assert.equal(parseCount('1_000', '--keep-daily'), 1000);
  assert.equal(parseCount('0', '--keep-daily'), 0);
  for (const bad of ['-1', 'abc', '', '1.5', '08', '1__0', '99999999999']) {
    assert.throws(() => parseCount(bad, '--keep-daily'), (e) => isCairnError(e, 'INVALID_ARGUMENT') && e.message.includes('--keep-daily'), bad);
  }
});

test('groups: paths compared sorted, tags only when grouping by tags, unknown options refused', () => {
  const a = snap('2022-01-01T00:00:00Z', { paths: ['/b', '/a'], tags: ['y', 'x'] });
  const b = snap('2022-01-02T00:00:00Z', { paths: ['/a', '/b'], tags: ['x', 'y'] });
  const c = snap('2022-01-03T00:00:00Z', { paths: ['/a', '/b'], host: 'other' });
  const g = groupSnapshots([a, b, c], parseGroupBy('host,paths'));
  assert.deepEqual(g.map((x) => [x.key, x.entries.length]), [
    [{ hostname: 'h', paths: ['/a', '/b'], tags: null }, 2],
    [{ hostname: 'other', paths: ['/a', '/b'], tags: null }, 1],
  ]);
  const t = groupSnapshots([a, b, c], parseGroupBy('tags'));
  assert.deepEqual(t.map((x) => [x.key, x.entries.length]), [[{ hostname: '', paths: null, tags: ['x', 'y'] }, 2], [{ hostname: '', paths: null, tags: null }, 1]]);
  assert.deepEqual(t[0]!.entries[0]!.snapshot.tags, ['x', 'y'], 'tags sorted when grouping by them');
  assert.deepEqual(g[0]!.entries[0]!.snapshot.paths, ['/a', '/b'], 'paths always sorted');
  assert.equal(groupSnapshots([a, b, c], parseGroupBy('')).length, 1);
  assert.throws(() => parseGroupBy('host,size'), (e) => isCairnError(e, 'INVALID_ARGUMENT') && /size/.test(e.message));
});
