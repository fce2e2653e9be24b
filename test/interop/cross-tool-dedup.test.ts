// Chunk boundaries, blob ids and compression choices are the same in both tools: backing up the
// same data with the other tool into the same repository adds no data blobs. `--force` makes
// each tool read every file again instead of trusting the other's snapshot as a parent.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cairnOk, dataset, resticOk, tmpDir } from '../helpers/tools.ts';

let work: string;
let src: string;

before(() => {
  work = tmpDir('dedup');
  src = dataset(64);
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

interface ResticSummary { message_type: string; data_blobs: number; data_added: number; files_new: number; total_files_processed: number }

function resticSummary(stdout: string): ResticSummary {
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { message_type: string });
  const s = lines.find((l) => l.message_type === 'summary');
  assert.ok(s, 'restic printed a summary');
  return s as ResticSummary;
}

test('restic adds no data blobs to a Cairn repository holding the same data', () => {
  const repo = path.join(work, 'cairn-made');
  cairnOk(['-r', repo, 'init']);
  const ours = JSON.parse(cairnOk(['-r', repo, 'backup', src, '--json']).trim().split('\n').at(-1)!) as { data_blobs: number };
  assert.ok(ours.data_blobs > 50, `the dataset has many chunks (got ${ours.data_blobs})`);
  const theirs = resticSummary(resticOk(repo, ['backup', src, '--force', '--json']));
  assert.ok(theirs.total_files_processed > 100);
  assert.equal(theirs.data_blobs, 0, `restic found ${theirs.data_blobs} new data blobs (${theirs.data_added} bytes)`);
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
});

test('Cairn adds no data blobs to a restic repository holding the same data', () => {
  const repo = path.join(work, 'restic-made');
  resticOk(repo, ['init']);
  resticOk(repo, ['backup', src]);
  const summary = JSON.parse(cairnOk(['-r', repo, 'backup', src, '--force', '--json']).trim().split('\n').at(-1)!) as { data_blobs: number; data_added: number; files_new: number; files_changed: number; files_unmodified: number };
  assert.equal(summary.data_blobs, 0, `Cairn stored ${summary.data_blobs} new data blobs (${summary.data_added} bytes)`);
  assert.equal(summary.files_unmodified, 0, '--force re-read every file');
  assert.match(resticOk(repo, ['check', '--read-data']), /no errors were found/);
});
