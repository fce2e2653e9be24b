// The engine's public API. src-main (CLI, desktop host, HTTP server) imports the engine only from
// here; nothing in src-worker knows about them.
export { CairnError, isCairnError, type ErrorCode } from './errors.ts';
export type { Backend, FileType } from './backend/backend.ts';
export { LocalBackend } from './backend/local.ts';
export { openBackend } from './backend/location.ts';
export { CachedBackend, defaultCacheRoot } from './backend/cache.ts';
export { Repository, currentUser, type SnapshotEntry, type InitOptions, type OpenOptions } from './repository/repository.ts';
export { RepositoryLock, listLocks, removeLocks, describeLock, isStale } from './repository/locks.ts';
export type { Snapshot } from './format/snapshot.ts';
export type { TreeNode, Tree, NodeType } from './format/tree.ts';
export type { Id } from './format/id.ts';
export { shortId } from './format/id.ts';
export { formatTime, parseTime, nowNs } from './format/time.ts';
export { goModeString, goTypeBits } from './format/filemode.ts';
export type { Compression } from './format/blob-codec.ts';
export { backup, PROGRAM_VERSION, type BackupOptions, type BackupSummary } from './ops/backup/backup.ts';
export type { BackupProgress } from './ops/backup/progress.ts';
export { restore, type RestoreOptions, type RestoreSummary, type RestoreProgress, type OverwritePolicy } from './ops/restore/restore.ts';
export { findSnapshot, findParentSnapshot, matchesFilter, type SnapshotFilter } from './ops/snapshots.ts';
export { ls, type LsOptions } from './ops/ls.ts';
export { check, checkSubsetSyntax, type CheckOptions, type CheckResult, type CheckProblem } from './ops/check.ts';
export { testConnection, type ConnectionReport } from './ops/connection.ts';
export { listKeys, addKey, removeKey, changePassword, type KeyInfo } from './ops/keys.ts';
export { parseSize } from './filter/exclude.ts';
export { prune, validatePruneOptions, type PruneOptions, type PruneResult, type PruneStats, type PruneProgress, type PruneMutation } from './ops/prune.ts';
