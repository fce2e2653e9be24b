// Restored times to the nanosecond (restic's precision), through utimensat where the platform has it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { setFileTimes, setsExactTimes } from '../../src-worker/ops/file-times.ts';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cairn-times-'));
after(() => fs.rmSync(work, { recursive: true, force: true }));

const times = (p: string, follow = true) => {
  const st = follow ? fs.statSync(p, { bigint: true }) : fs.lstatSync(p, { bigint: true });
  return { atimeNs: st.atimeNs, mtimeNs: st.mtimeNs };
};

test('this platform sets times to the nanosecond (koffi is installed and finds utimensat)', { skip: process.platform !== 'linux' }, () => {
  assert.equal(setsExactTimes(), true);
});

test('times are set exactly, including ones a double cannot hold and ones before 1970', { skip: !setsExactTimes() }, () => {
  const file = path.join(work, 'file');
  fs.writeFileSync(file, 'x');
  for (const [atimeNs, mtimeNs] of [
    [1_700_000_000_123_456_789n, 1_700_000_001_987_654_321n],
    [1_700_000_002_000_000_001n, 4_102_444_800_999_999_999n], // 2100-01-01, one ns before the next second
    [-1_500_000_001n, -1n], // before the epoch: tv_nsec must still be 0..999999999
  ]) {
    setFileTimes(file, atimeNs, mtimeNs);
    assert.deepEqual(times(file), { atimeNs, mtimeNs });
  }
});

test('a symlink itself gets the times with noFollow; its target keeps its own', { skip: !setsExactTimes() }, () => {
  const target = path.join(work, 'target');
  const link = path.join(work, 'link');
  fs.writeFileSync(target, 'x');
  fs.symlinkSync('target', link);
  const before = times(target);
  setFileTimes(link, 1_600_000_000_111_111_111n, 1_600_000_000_222_222_222n, true);
  assert.deepEqual(times(link, false), { atimeNs: 1_600_000_000_111_111_111n, mtimeNs: 1_600_000_000_222_222_222n });
  assert.deepEqual(times(target), before);
});

test('a name given as bytes (not valid UTF-8) is set, and a missing file fails with ENOENT', () => {
  const raw = Buffer.concat([Buffer.from(work + '/caf'), Buffer.of(0xe9)]);
  fs.writeFileSync(raw, 'x');
  setFileTimes(raw, 1_650_000_000_000_000_500n, 1_650_000_000_000_000_700n);
  const st = fs.statSync(raw, { bigint: true });
  const exact = setsExactTimes() ? 0n : 1000n;
  assert.ok(st.mtimeNs - 1_650_000_000_000_000_700n <= exact && 1_650_000_000_000_000_700n - st.mtimeNs <= exact, String(st.mtimeNs));
  assert.throws(() => setFileTimes(path.join(work, 'missing'), 0n, 0n), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
});
