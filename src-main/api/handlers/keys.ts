// A repository's keys (each one a password that opens it): list, add another, remove one, and
// change the password Cairn uses, with `restic key passwd`'s semantics: the new key is written
// before the old one is removed, so a failure in between leaves two working keys, never none.
// Locks as restic's key command takes them: adding under a shared lock, removing and replacing
// under an exclusive one (no other operation may be reading the repository with that key).
import { addKey, CairnError, changePassword, listKeys, openBackend, removeKey, Repository, RepositoryLock, type KeyInfo } from '../../../src-worker/index.ts';
import { secretAccount } from '../../secrets/index.ts';
import type { ApiContext } from '../context.ts';
import type { HandlerTable } from './types.ts';

function profileOf(ctx: ApiContext, id: string) {
  const r = ctx.profiles.repository(id);
  if (!r) throw new CairnError('NOT_FOUND', `repository "${id}" does not exist`);
  return r;
}

async function locked<T>(repo: Repository, exclusive: boolean, fn: () => Promise<T>): Promise<T> {
  const lock = await RepositoryLock.acquire(repo, exclusive);
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}

export const keyHandlers: HandlerTable<'keys.list' | 'keys.add' | 'keys.remove' | 'repositories.changePassword'> = {
  async 'keys.list'(input, ctx) {
    return ctx.repositories.use(input.repositoryId, async (repo) => ({ keys: await listKeys(repo) }));
  },

  async 'keys.add'(input, ctx) {
    return ctx.repositories.use(input.repositoryId, async (repo) => {
      const id = await locked(repo, false, () => addKey(repo, input.password, { user: input.userName, host: input.hostName }));
      const added = (await listKeys(repo)).find((k: KeyInfo) => k.id === id);
      if (!added) throw new CairnError('BACKEND_ERROR', `the new key ${id.slice(0, 8)} was written but is not listed by the storage: check the repository's keys folder`);
      return added;
    });
  },

  async 'keys.remove'(input, ctx) {
    // The session was opened with the stored password, so its key is the one removeKey refuses.
    return ctx.repositories.use(input.repositoryId, async (repo) => ({ removed: await locked(repo, true, () => removeKey(repo, input.keyId)) }));
  },

  async 'repositories.changePassword'(input, ctx) {
    const profile = profileOf(ctx, input.repositoryId);
    if (input.newPassword === input.oldPassword) throw new CairnError('INVALID_ARGUMENT', 'the new password is the same as the current one: type a different one');
    // Opened afresh with the old password: proves the user knows it, and picks the key to replace.
    const backend = openBackend(profile.location, profile.options, await ctx.secrets.credentials(profile.id));
    let keyId: string;
    try {
      let repo: Repository;
      try {
        repo = await Repository.open(backend, input.oldPassword);
      } catch (err) {
        if (err instanceof CairnError && err.code === 'WRONG_PASSWORD') {
          throw new CairnError('WRONG_PASSWORD', `the current password of "${profile.name}" is not right: nothing was changed`, { cause: err });
        }
        throw err;
      }
      keyId = await locked(repo, true, () => changePassword(repo, input.newPassword));
    } finally {
      await backend.close().catch(() => {});
    }
    // The stored password follows only if it was the one just replaced (it might be another key's).
    let keyringUpdated = false;
    if (ctx.secrets.available) {
      const account = secretAccount(profile.id, 'password');
      const kept = await ctx.secrets.passwordKept(profile.id);
      if ((await ctx.secrets.store().get(account)) === input.oldPassword) {
        // Kept where it was: a password the user chose not to save stays unsaved.
        await ctx.secrets.setPassword(profile.id, input.newPassword, kept === 'saved');
        keyringUpdated = true;
      }
    }
    await ctx.repositories.drop(profile.id);
    ctx.profilesChanged();
    return { keyId, keyringUpdated };
  },
};
