// What the two downloads (a file, a folder as zip) share: the request they take and finding the
// node it names, inside the repository's queue, before anything is sent.
import { z } from 'zod';
import { CairnError, findSnapshot, type Repository, type SnapshotEntry, type TreeNode } from '../../src-worker/index.ts';
import { describeIssues } from '../profiles/schema.ts';
import type { ApiContext } from './context.ts';
import { nodeAt } from './handlers/tree-lookup.ts';
import { IdSchema, SnapshotPathSchema, SnapshotRefSchema } from './schemas.ts';

export const SnapshotPathInputSchema = z.strictObject({ repositoryId: IdSchema, snapshotId: SnapshotRefSchema, path: SnapshotPathSchema });

export interface SnapshotPathFound {
  repo: Repository;
  snapshot: SnapshotEntry;
  path: string;
  /** The node at the path; null for the snapshot's root. */
  node: TreeNode | null;
}

/** Validates a download request (`what` names it in errors) and runs `fn` with what it names. */
export async function withSnapshotPath(ctx: ApiContext, input: unknown, what: string, fn: (found: SnapshotPathFound) => Promise<void>): Promise<void> {
  const parsed = SnapshotPathInputSchema.safeParse(input);
  if (!parsed.success) throw new CairnError('INVALID_ARGUMENT', `${what}: ${describeIssues(parsed.error)}`, { cause: parsed.error });
  const { repositoryId, snapshotId, path } = parsed.data;
  if (!ctx.profiles.repository(repositoryId)) throw new CairnError('NOT_FOUND', `repository "${repositoryId}" does not exist`);
  await ctx.repositories.use(repositoryId, async (repo) => {
    const snapshot = await findSnapshot(repo, snapshotId);
    await repo.loadIndex();
    const node = await nodeAt(repo, snapshot.snapshot.tree, path);
    if (node === undefined) throw new CairnError('NOT_FOUND', `${path} is not in snapshot ${snapshot.id.slice(0, 8)}`);
    await fn({ repo, snapshot, path, node });
  });
}
