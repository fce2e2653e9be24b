// The one step every "what an older restic wrote" fixture is made of: take a file restic 0.14
// wrote, decrypt it with the engine's own key and crypto, change its JSON, seal it again and store
// it under the SHA-256 of the new bytes (the old file goes). Also new files of any JSON content.
import type { FileType } from '../../src-worker/backend/backend.ts';
import { LocalBackend } from '../../src-worker/backend/local.ts';
import type { Id } from '../../src-worker/format/id.ts';
import { Repository } from '../../src-worker/repository/repository.ts';

export function openRepo(repoDir: string, password = 'test-password'): Promise<Repository> {
  return Repository.open(new LocalBackend(repoDir), password);
}

export async function listFiles(repo: Repository, type: FileType): Promise<Id[]> {
  const names: Id[] = [];
  for await (const f of repo.backend.list(type)) names.push(f.name);
  return names.sort();
}

/** Stores `doc` as a new file of `type` (plain JSON in version 1, as restic wrote it); returns its id. */
export function writeJson(repo: Repository, type: FileType, doc: unknown): Promise<Id> {
  return repo.saveUnpacked(type, JSON.stringify(doc));
}

/** Replaces file `id` by what `edit` makes of its JSON; returns the new id. */
export async function rewriteJson(repo: Repository, type: FileType, id: Id, edit: (doc: unknown) => unknown): Promise<Id> {
  const next = await writeJson(repo, type, edit(await repo.loadUnpacked(type, id)));
  if (next !== id) await repo.backend.remove(type, id);
  return next;
}
