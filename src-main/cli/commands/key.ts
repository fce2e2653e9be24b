import type { Command } from 'commander';
import fs from 'node:fs/promises';
import { addKey, CairnError, changePassword, listKeys, removeKey, RepositoryLock, type Repository } from '../../../src-worker/index.ts';
import type { Cli } from '../context.ts';
import { formatLocalTime, table } from '../format.ts';
import { askNewPassword } from '../password.ts';

async function newPassword(c: Cli, file?: string): Promise<string> {
  if (file) {
    const text = (await fs.readFile(file, 'utf8').catch((err: Error) => {
      throw new CairnError('INVALID_ARGUMENT', `cannot read the new password file ${file}: ${err.message}`);
    })).replace(/\r?\n$/, '');
    if (text === '') throw new CairnError('INVALID_ARGUMENT', `the new password file ${file} is empty`);
    return text;
  }
  return askNewPassword('new password');
}

/** Locks as restic's key command does: shared to list or add, exclusive to remove or replace a key. */
async function lock(c: Cli, repo: Repository, exclusive: boolean): Promise<void> {
  const held = await RepositoryLock.acquire(repo, exclusive);
  c.onCleanup(() => held.release());
}

export function registerKey(program: Command, cli: () => Cli): void {
  const key = program.command('key').description('manage the keys (passwords) of the repository');
  key.command('list').description('list keys').action(async () => {
    const c = cli();
    const repo = await c.openRepository();
    await lock(c, repo, false);
    const keys = await listKeys(repo);
    if (c.json) {
      c.printJson(keys.map((k) => ({ current: k.current, id: k.id, userName: k.userName, hostName: k.hostName, created: formatLocalTime(k.created) })));
      return;
    }
    c.output(table([' ID', 'User', 'Host', 'Created'], keys.map((k) => [(k.current ? '*' : ' ') + k.id.slice(0, 8), k.userName, k.hostName, formatLocalTime(k.created)])));
  });
  key.command('add').description('add a new key (password)')
    .option('--new-password-file <file>', 'read the new password from a file')
    .option('--user <name>', 'user name recorded in the key')
    .option('--host <name>', 'host name recorded in the key')
    .action(async (opts: { newPasswordFile?: string; user?: string; host?: string }) => {
      const c = cli();
      const repo = await c.openRepository();
      await lock(c, repo, false);
      const id = await addKey(repo, await newPassword(c, opts.newPasswordFile), { user: opts.user, host: opts.host });
      if (c.json) c.printJson({ message_type: 'key_added', id });
      else c.print(`saved new key with ID ${id}`);
    });
  key.command('remove').description('remove a key').argument('<id>', 'key id (or unique prefix)')
    .action(async (id: string) => {
      const c = cli();
      const repo = await c.openRepository();
      await lock(c, repo, true);
      const removed = await removeKey(repo, id);
      if (c.json) c.printJson({ message_type: 'key_removed', id: removed });
      else c.print(`removed key ${removed}`);
    });
  key.command('passwd').description('change the password of the current key')
    .option('--new-password-file <file>', 'read the new password from a file')
    .action(async (opts: { newPasswordFile?: string }) => {
      const c = cli();
      const repo = await c.openRepository();
      await lock(c, repo, true);
      const id = await changePassword(repo, await newPassword(c, opts.newPasswordFile));
      if (c.json) c.printJson({ message_type: 'password_changed', id });
      else c.print('saved new password');
    });
}
