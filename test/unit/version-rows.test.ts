// The version timeline's rows: newest first; only the changes by default, each counting the later
// snapshots that kept its content; with every snapshot, unchanged ones point at the change they
// repeat (what "Compare" starts from).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timelineRows } from '../../src-renderer/lib/browse/version-rows.ts';

const versions = [
  { snapshotId: 'a', changed: true },
  { snapshotId: 'b', changed: false },
  { snapshotId: 'c', changed: false },
  { snapshotId: 'd', changed: true },
  { snapshotId: 'e', changed: false },
];

test('only the changes, newest first, each with the later snapshots that kept it', () => {
  const rows = timelineRows(versions, false);
  assert.deepEqual(rows.map((r) => [r.version.snapshotId, r.first, r.keptIn]), [['d', false, 1], ['a', true, 2]]);
});

test('every snapshot, newest first; an unchanged one names the change it repeats', () => {
  const rows = timelineRows(versions, true);
  assert.deepEqual(rows.map((r) => [r.version.snapshotId, r.contentOf, r.keptIn]), [['e', 'd', 0], ['d', 'd', 0], ['c', 'a', 0], ['b', 'a', 0], ['a', 'a', 0]]);
  assert.deepEqual(rows.filter((r) => r.first).map((r) => r.version.snapshotId), ['a']);
});

test('no versions, no rows', () => {
  assert.deepEqual(timelineRows([], false), []);
});
