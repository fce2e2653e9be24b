// Open repositories, kept between calls: browsing a snapshot is many small calls (page after page
// of a 100k-entry folder), and opening a repository (key derivation, index) is the slow part. One
// Repository per profile id, opened on first use with the password from the secrets store.
//
// A cached Repository's index goes stale when a backup (ours, or another tool's) adds data. A
// blob the old index does not know raises MISSING_OBJECT: then the session is reopened once and
// the call tried again. Jobs that finish drop their repositories' sessions too (see context.ts).
import { CairnError, isCairnError, openBackend, Repository } from '../../src-worker/index.ts';
import type { ProfilesService } from '../profiles/index.ts';
import { secretAccount } from '../secrets/index.ts';
import type { SecretsAccess } from './secrets-access.ts';

export interface SessionOptions {
  /** The engine's metadata cache folder; none when omitted. */
  cacheDir?: string;
}

export class RepositorySessions {
  private readonly open = new Map<string, Promise<Repository>>();
  private readonly profiles: ProfilesService;
  private readonly secrets: SecretsAccess;
  private readonly options: SessionOptions;

  constructor(profiles: ProfilesService, secrets: SecretsAccess, options: SessionOptions = {}) {
    this.profiles = profiles;
    this.secrets = secrets;
    this.options = options;
  }

  /** Runs `fn` on the open repository, reopening once if its index turned out to be stale. */
  async use<T>(repositoryId: string, fn: (repo: Repository) => Promise<T>): Promise<T> {
    const repo = await this.get(repositoryId);
    try {
      return await fn(repo);
    } catch (err) {
      if (!isCairnError(err, 'MISSING_OBJECT')) throw err;
      await this.drop(repositoryId);
      return fn(await this.get(repositoryId));
    }
  }

  /** Forgets the open repository (after its profile changed, or a job wrote to it). */
  async drop(repositoryId: string): Promise<void> {
    const p = this.open.get(repositoryId);
    if (!p) return;
    this.open.delete(repositoryId);
    const repo = await p.catch(() => null);
    await repo?.backend.close().catch(() => {});
  }

  async close(): Promise<void> {
    await Promise.all([...this.open.keys()].map((id) => this.drop(id)));
  }

  private get(repositoryId: string): Promise<Repository> {
    let p = this.open.get(repositoryId);
    if (!p) {
      p = this.openRepository(repositoryId);
      this.open.set(repositoryId, p);
      // A failed open (wrong password, unreachable) must not be remembered: the next call tries again.
      p.catch(() => {
        if (this.open.get(repositoryId) === p) this.open.delete(repositoryId);
      });
    }
    return p;
  }

  private async openRepository(repositoryId: string): Promise<Repository> {
    const profile = this.profiles.repository(repositoryId);
    if (!profile) throw new CairnError('NOT_FOUND', `repository "${repositoryId}" does not exist: add it first`);
    const password = await this.secrets.store().get(secretAccount(repositoryId, 'password'));
    if (password === null) {
      throw new CairnError('PASSWORD_NEEDED', `Cairn does not know the password of "${profile.name}" (it was not saved): type it to unlock the repository`);
    }
    const backend = openBackend(profile.location, profile.options, await this.secrets.credentials(repositoryId));
    try {
      return await Repository.open(backend, password, { cacheDir: this.options.cacheDir });
    } catch (err) {
      await backend.close().catch(() => {});
      throw err;
    }
  }
}
