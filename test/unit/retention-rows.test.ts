// A retention preview group as one list: newest first across kept and removed snapshots, kept ones
// with their reasons, times compared as instants (zones and fractions differ between tools).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupRows } from '../../src-renderer/lib/settings/retention-rows.ts';

test('kept and removed snapshots interleave newest first, reasons kept', () => {
  const rows = groupRows({
    keep: [{ id: 'k2', time: '2026-01-03T10:00:00Z', reasons: ['daily snapshot'] }, { id: 'k1', time: '2026-01-01T10:00:00.5+00:00', reasons: ['monthly snapshot'] }],
    remove: [{ id: 'r1', time: '2026-01-02T11:00:00+01:00' }, { id: 'r0', time: '2025-12-31T23:00:00-02:00' }],
  });
  assert.deepEqual(rows.map((r) => [r.id, r.keep]), [['k2', true], ['r1', false], ['k1', true], ['r0', false]]);
  assert.deepEqual(rows[0]!.reasons, ['daily snapshot']);
  assert.deepEqual(rows[1]!.reasons, []);
});
