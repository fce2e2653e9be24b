// A forget-and-prune job's result in words: a preview says "would" and that nothing changed, a
// real run says what it did, and a plan without rules or with nothing to remove says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pruneInWords } from '../../src-renderer/lib/settings/prune-words.ts';

const summary = { snapshotsRemoved: 9, snapshotsKept: 3, pruneBytesFreed: 2_500_000, prunePacksDeleted: 24 };

test('a preview says what would be removed and freed, and that nothing changed', () => {
  assert.equal(pruneInWords(summary, true), 'Would remove 9 snapshots and keep 3; pruning would then free 2.5 MB (24 pack files deleted or rewritten). Nothing was changed.');
});

test('a real run says what it removed and freed', () => {
  assert.equal(pruneInWords({ ...summary, snapshotsRemoved: 1, prunePacksDeleted: 1 }, false), 'Removed 1 snapshot and kept 3; pruning freed 2.5 MB (1 pack file deleted or rewritten).');
});

test('rules that keep everything, and no rules at all, are told apart', () => {
  assert.equal(pruneInWords({ snapshotsRemoved: 0, snapshotsKept: 2 }, true), 'The retention rules keep all 2 snapshots: nothing would be removed or pruned.');
  assert.equal(pruneInWords({ snapshotsRemoved: 0, snapshotsKept: 1 }, false), 'The retention rules keep the only snapshot: nothing was removed or pruned.');
  assert.match(pruneInWords({ snapshotsRemoved: 0 }, true), /^The plan has no retention rules/);
});
