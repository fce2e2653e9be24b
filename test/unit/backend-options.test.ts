// `-o kind.option=value` as restic checks them: an option the repository's kind does not know is
// an error naming the ones it knows; options for other kinds pass (copy names two repositories).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBackend } from '../../src-worker/index.ts';

test('an unknown option for the repository\'s kind is refused, naming the known ones', () => {
  assert.throws(() => openBackend('/tmp/cairn-nowhere', { 'local.bogus': '1' }), /^CairnError: option local.bogus is not known: local repositories take no options$/);
  assert.throws(() => openBackend('sftp:me@host:/srv', { 'sftp.conections': '3' }), /option sftp.conections is not known: sftp repositories take sftp.key, sftp.known-hosts, sftp.accept-new, sftp.connections/);
  assert.throws(() => openBackend('s3:https://h/b', { 's3.secret': 'x' }), /option s3.secret is not known/);
  assert.throws(() => openBackend('/tmp/cairn-nowhere', { bogus: '1' }), /options are named kind.option/);
});

test('options of another kind of repository, and known ones, pass', async () => {
  const local = openBackend('/tmp/cairn-nowhere', { 's3.region': 'eu-west-1', 'sftp.key': '/k' });
  await local.close();
  const s3 = openBackend('s3:https://h/b', { 's3.region': 'eu-west-1', 's3.connections': '2', 's3.access-key-id': 'AKIA' });
  assert.equal(s3.connections, 2);
  await s3.close();
});
