// A file name that is not valid UTF-8 is printed by `ls`, `diff` and `find` with its own bytes, as
// restic prints it (Node would print U+FFFD for each such byte, naming no file on disk).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CAIRN_BIN, cairnOk, requireTool, resticOk, tmpDir } from '../helpers/tools.ts';

const onLinux = process.platform === 'linux';
let work: string;
let repo: string;
let ids: string[];
const latin1 = Buffer.from('caf\xe9.txt', 'latin1');

/** Raw stdout bytes of either tool (the helpers decode it as UTF-8, which is what this test must avoid). */
function stdoutBytes(tool: 'cairn' | 'restic', args: string[]): Buffer {
  const r = tool === 'cairn'
    ? spawnSync(process.execPath, [CAIRN_BIN, '-r', repo, '--no-cache', ...args], { env: { ...process.env, CAIRN_PASSWORD: 'test-password' } })
    : spawnSync(requireTool('restic', 'apt-get install -y restic'), ['-r', repo, '--no-cache', ...args], { env: { ...process.env, RESTIC_PASSWORD: 'test-password' } });
  assert.equal(r.status, 0, `${tool} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}
const pathLines = (out: Buffer) => out.toString('latin1').split('\n').filter((l) => l.includes('/raw/')).sort();

before(() => {
  if (!onLinux) return;
  work = tmpDir('raw-output');
  const src = path.join(work, 'src');
  fs.mkdirSync(path.join(src, 'raw'), { recursive: true });
  const rawFile = Buffer.concat([Buffer.from(path.join(src, 'raw') + '/'), latin1]);
  fs.writeFileSync(rawFile, 'first\n');
  fs.writeFileSync(path.join(src, 'raw', 'café.txt'), 'UTF-8 name\n');
  repo = path.join(work, 'repo');
  cairnOk(['-r', repo, 'init']);
  cairnOk(['-r', repo, 'backup', src]);
  fs.writeFileSync(rawFile, 'second, longer\n');
  resticOk(repo, ['backup', src]);
  ids = (JSON.parse(resticOk(repo, ['snapshots', '--json'])) as { id: string }[]).map((s) => s.id);
});
after(() => work && fs.rmSync(work, { recursive: true, force: true }));

test('ls, diff and find print a name that is not UTF-8 with the bytes restic prints', { skip: !onLinux && 'only Linux file systems take any bytes in a name' }, () => {
  const expected = `/raw/${latin1.toString('latin1')}`;
  const ls = stdoutBytes('cairn', ['ls', ids[1]!]);
  assert.ok(pathLines(ls).some((l) => l.endsWith(expected)), `cairn ls prints the raw bytes: ${JSON.stringify(pathLines(ls))}`);
  assert.deepEqual(ls, stdoutBytes('restic', ['ls', ids[1]!]));
  assert.deepEqual(stdoutBytes('cairn', ['diff', ids[0]!, ids[1]!]), stdoutBytes('restic', ['diff', ids[0]!, ids[1]!]));
  const found = pathLines(stdoutBytes('cairn', ['find', 'caf*']));
  assert.equal(found.filter((l) => l.endsWith(expected)).length, 2, JSON.stringify(found));
  assert.deepEqual(found, pathLines(stdoutBytes('restic', ['find', 'caf*'])));
});
