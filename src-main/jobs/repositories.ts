// Opens a job's repositories from their profiles, with passwords from the secrets module. Every
// password fetched is remembered for the job, so its log and its error can be scrubbed of it.
import { CairnError, defaultCacheRoot, openBackend, Repository, type Backend, type BackendCredentials } from '../../src-worker/index.ts';
import type { RepositoryProfile } from '../profiles/index.ts';
import { secretAccount } from '../secrets/accounts.ts';
import type { SecretStore } from '../secrets/store.ts';

export type GetPassword = (repositoryId: string) => Promise<string>;
/** A repository's backend secrets (SFTP, S3), from the keyring. */
export type GetCredentials = (repositoryId: string) => Promise<BackendCredentials>;

/** The keyring (or opted-in password file) as a GetPassword. */
export function passwordFromSecrets(store: SecretStore): GetPassword {
  return async (repositoryId) => {
    const password = await store.get(secretAccount(repositoryId, 'password'));
    if (password === null) {
      throw new CairnError('PASSWORD_NEEDED', `Cairn does not know the password of repository "${repositoryId}" (it was not saved): type it on the dashboard or in Settings → Repository`);
    }
    return password;
  };
}

export interface RepositoryOpenerOptions {
  repository: (id: string) => RepositoryProfile | undefined;
  getPassword: GetPassword;
  getCredentials?: GetCredentials;
  /** Metadata cache folder; null for none. */
  cacheDir: string | null;
}

/** One job's open repositories; close() releases them all. */
export class JobRepositories {
  private readonly opts: RepositoryOpenerOptions;
  private readonly backends: Backend[] = [];
  private readonly opened = new Map<string, Repository>();
  readonly secrets: string[] = [];

  constructor(opts: RepositoryOpenerOptions) {
    this.opts = opts;
  }

  get cacheDir(): string | null {
    return this.opts.cacheDir;
  }

  async open(repositoryId: string, options: { cache?: boolean } = {}): Promise<Repository> {
    const key = `${repositoryId}:${options.cache !== false}`;
    const known = this.opened.get(key);
    if (known) return known;
    const profile = this.opts.repository(repositoryId);
    if (!profile) throw new CairnError('NOT_FOUND', `repository "${repositoryId}" is not in the profiles any more: choose another repository`);
    const password = await this.opts.getPassword(repositoryId);
    if (password !== '') this.secrets.push(password);
    const credentials = (await this.opts.getCredentials?.(repositoryId)) ?? {};
    for (const secret of Object.values(credentials)) if (secret) this.secrets.push(secret);
    const backend = openBackend(profile.location, profile.options, credentials);
    this.backends.push(backend);
    const cacheDir = options.cache === false || this.opts.cacheDir === null ? undefined : this.opts.cacheDir;
    const repo = await Repository.open(backend, password, { cacheDir });
    this.opened.set(key, repo);
    return repo;
  }

  async close(): Promise<void> {
    for (const b of this.backends.splice(0)) await b.close().catch(() => {});
    this.opened.clear();
  }
}

export function defaultJobCacheDir(): string {
  return defaultCacheRoot();
}
