// The snapshot list's filters: a plan's snapshots are those with exactly its sources and its tags;
// the date range is inclusive, in local days; the folder filter matches part of a path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Plan } from '../../src-renderer/lib/api/index.ts';
import { matches, newestPage, NO_FILTER, SNAPSHOT_PAGE, type SnapshotInfo } from '../../src-renderer/lib/browse/snapshot-filter.ts';

const snap = (over: Partial<SnapshotInfo>): SnapshotInfo => ({
  id: 'a'.repeat(64), shortId: 'aaaaaaaa', time: '2026-03-10T12:00:00Z', hostname: 'laptop', username: 'me',
  paths: ['/home/me/docs'], tags: [], parent: null, programVersion: null, size: null, ...over,
});
const plan = { id: 'p1', sources: ['/home/me/docs', '/home/me/pics'], tags: ['cairn'] } as unknown as Plan;

test('a plan filter keeps snapshots with exactly the plan sources and all its tags', () => {
  const f = { ...NO_FILTER, planId: 'p1' };
  assert.equal(matches(snap({ paths: ['/home/me/pics', '/home/me/docs'], tags: ['cairn', 'x'] }), f, [plan]), true);
  assert.equal(matches(snap({ paths: ['/home/me/docs'], tags: ['cairn'] }), f, [plan]), false);
  assert.equal(matches(snap({ paths: ['/home/me/pics', '/home/me/docs'] }), f, [plan]), false);
});

test('host, tag, date range and folder filters', () => {
  const s = snap({ tags: ['weekly'] });
  const day = new Date(s.time);
  const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, '0')}-${String(day.getDate()).padStart(2, '0')}`;
  assert.equal(matches(s, NO_FILTER, []), true);
  assert.equal(matches(s, { ...NO_FILTER, host: 'desktop' }, []), false);
  assert.equal(matches(s, { ...NO_FILTER, tag: 'weekly' }, []), true);
  assert.equal(matches(s, { ...NO_FILTER, tag: 'daily' }, []), false);
  assert.equal(matches(s, { ...NO_FILTER, from: iso, to: iso }, []), true, 'the range includes its ends');
  assert.equal(matches(s, { ...NO_FILTER, from: '2099-01-01' }, []), false);
  assert.equal(matches(s, { ...NO_FILTER, to: '2000-01-01' }, []), false);
  assert.equal(matches(s, { ...NO_FILTER, path: 'ME/DOC' }, []), true);
  assert.equal(matches(s, { ...NO_FILTER, path: 'music' }, []), false);
});

test('the snapshot list shows a page of the newest snapshots and counts the older ones left out', () => {
  const many = Array.from({ length: 20_000 }, (_, i) => snap({ id: String(i).padStart(64, '0'), shortId: String(i) }));
  const first = newestPage(many, SNAPSHOT_PAGE);
  assert.equal(first.rows.length, SNAPSHOT_PAGE, 'twenty thousand snapshots are not twenty thousand rows');
  assert.equal(first.rows[0]!.shortId, '19999', 'newest first');
  assert.equal(first.hidden, 20_000 - SNAPSHOT_PAGE);
  const more = newestPage(many, 2 * SNAPSHOT_PAGE);
  assert.equal(more.rows[SNAPSHOT_PAGE]!.shortId, String(19_999 - SNAPSHOT_PAGE), '"Show older" continues where the page ended');
  assert.deepEqual(newestPage(many.slice(0, 3), SNAPSHOT_PAGE), { rows: many.slice(0, 3).reverse(), hidden: 0 });
});
