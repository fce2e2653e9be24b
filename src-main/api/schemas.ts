// The shapes the API's operations take and give, as zod schemas. Inputs are validated on the
// server side of every transport; outputs are parsed on the way out too, so a response can only
// hold the fields declared here (a secret added to some object by mistake is dropped, not sent).
//
// Inputs arrive from HTTP query strings as text and from IPC as JSON values, so the number and
// boolean fields below accept both forms.
import path from 'node:path';
import { z } from 'zod';
import { ExcludePresetIds } from '../profiles/excludes.ts';
import { IdSchema, PlanSchema, RepositorySchema, RetentionSchema } from '../profiles/schema.ts';

export { IdSchema };

// ---- primitives -------------------------------------------------------------------------

/** A count from a query string ("50") or from IPC (50). */
export const countSchema = (max: number) => z.coerce.number().int().min(1).max(max);

/** true/false from IPC, or "true"/"false"/"1"/"0" from a query string. */
export const FlagSchema = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

/** A snapshot id, a unique prefix of one, or "latest". */
export const SnapshotRefSchema = z.string().regex(/^([0-9a-f]{1,64}|latest)$/, 'use a snapshot id (or a unique prefix of one) or "latest"');

/** A path inside a snapshot: absolute, "/"-separated, no "." or ".." parts, no NUL. */
export const SnapshotPathSchema = z.string().refine(
  (p) => p.startsWith('/') && !p.includes('\0') && p.split('/').every((part) => part !== '..' && part !== '.'),
  'use an absolute snapshot path without "." or ".." parts, such as /home/me/Documents',
);

/** A folder on this computer: absolute, and without ".." parts that could lead elsewhere. */
export const LocalTargetSchema = z.string().min(1).refine(
  (p) => path.isAbsolute(p) && !p.includes('\0') && !p.split(/[\\/]/).includes('..'),
  'use an absolute folder without ".." parts, such as /home/me/restored',
);

/** A secret coming in: never stored anywhere but the secrets module, never sent back. */
export const PasswordSchema = z.string().min(1, 'the password is empty').max(4096);

const NullableNumber = z.number().nullable();

export const ExcludePresetIdSchema = z.enum(ExcludePresetIds);

// ---- profiles ---------------------------------------------------------------------------

export const RepositoryOutSchema = z.object({
  ...RepositorySchema.shape,
  /** Whether Cairn knows its password, saved or for this session (the password itself is never sent). */
  hasPassword: z.boolean(),
  /** Whether that password is saved (keyring or password file), so it outlives a restart. */
  passwordSaved: z.boolean(),
});

export const ProfilesOutSchema = z.object({ repositories: z.array(RepositoryOutSchema), plans: z.array(PlanSchema) });

/** What a client may set on a repository; `id` and `password` are handled by the API itself. */
/**
 * Backend secrets a client may hand in (they go to the keyring and never come back): an SFTP
 * password or key passphrase, an S3 secret key (its access key id is the option s3.access-key-id),
 * a REST server's password (its user name is part of the rest: URL).
 */
export const CredentialsSchema = z.strictObject({
  sftpPassword: z.string().min(1).max(4096).optional(),
  sftpKeyPassphrase: z.string().min(1).max(4096).optional(),
  s3SecretAccessKey: z.string().min(1).max(4096).optional(),
  restPassword: z.string().min(1).max(4096).optional(),
});

export const RepositoryFieldsSchema = z.object({
  name: z.string(),
  location: z.string(),
  options: z.record(z.string(), z.string()).optional(),
});

/** What a client may set on a plan (the profiles service validates the details). */
export const PlanFieldsSchema = z.object({
  name: z.string(),
  repositoryId: IdSchema,
  sources: z.array(z.string()),
  excludes: z.array(z.string()).optional(),
  excludePresets: PlanSchema.shape.excludePresets.optional(),
  schedule: PlanSchema.shape.schedule,
  retention: RetentionSchema.optional(),
  tags: z.array(z.string()).optional(),
  copyToRepositoryId: IdSchema.optional(),
  watch: PlanSchema.shape.watch.optional(),
});

export { PlanSchema, RetentionSchema };

export const ConnectionReportSchema = z.object({
  reachable: z.boolean(),
  authenticated: z.boolean(),
  repository: z.enum(['exists', 'missing', 'unknown']),
  passwordAccepted: z.boolean().optional(),
  otherEntries: z.number().int().nonnegative().optional(),
  message: z.string(),
});

export const RepositoryOpenedSchema = z.object({
  repositoryId: IdSchema,
  /** The repository's own id (from its config file), as restic prints it. */
  configId: z.string(),
  version: z.number().int(),
  snapshots: z.number().int(),
});

// ---- snapshots, trees, search, diff -------------------------------------------------------

export const NodeTypeSchema = z.enum(['file', 'dir', 'symlink', 'dev', 'chardev', 'fifo', 'socket', 'irregular']);

export const SnapshotOutSchema = z.object({
  id: z.string(),
  shortId: z.string(),
  time: z.string(),
  hostname: z.string(),
  username: z.string(),
  paths: z.array(z.string()),
  tags: z.array(z.string()),
  parent: z.string().nullable(),
  programVersion: z.string().nullable(),
  /** Bytes the backup read, when the job history knows it (snapshots made elsewhere: null). */
  size: NullableNumber,
});

export const TreeEntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: NodeTypeSchema,
  size: NullableNumber,
  mtime: z.string(),
  mode: NullableNumber,
  linkTarget: z.string().nullable(),
  /** The owner as the backup recorded it: ids always, names when the source system had them. */
  uid: z.number().int(),
  gid: z.number().int(),
  user: z.string().nullable(),
  group: z.string().nullable(),
});

export const TreePageSchema = z.object({
  snapshotId: z.string(),
  path: z.string(),
  entries: z.array(TreeEntrySchema),
  /** Entries in the directory in all. */
  total: z.number().int(),
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const SearchHitSchema = z.object({
  snapshotId: z.string(),
  time: z.string(),
  path: z.string(),
  type: NodeTypeSchema,
  size: NullableNumber,
  mtime: z.string(),
});

const DiffStatSchema = z.object({
  files: z.number(), dirs: z.number(), others: z.number(), dataBlobs: z.number(), treeBlobs: z.number(), bytes: z.number(),
});

export const DiffOutSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** In walk order; "+", "-", or a combination of "T", "M", "U" (type, content, metadata). */
  changes: z.array(z.object({ path: z.string(), modifier: z.string() })),
  truncated: z.boolean(),
  changedFiles: z.number().int(),
  added: DiffStatSchema,
  removed: DiffStatSchema,
});

export const FileVersionSchema = z.object({
  snapshotId: z.string(),
  time: z.string(),
  type: NodeTypeSchema,
  size: NullableNumber,
  mtime: z.string(),
  /** False when the content is the same as in the previous snapshot that had this path. */
  changed: z.boolean(),
});

/** One side of a file comparison: the path in one snapshot, or null when that snapshot lacks it. */
const FileSideSchema = z.object({
  snapshotId: z.string(),
  time: z.string(),
  type: NodeTypeSchema,
  size: NullableNumber,
  mtime: z.string(),
}).nullable();

export const FileCompareSchema = z.object({
  path: z.string(),
  from: FileSideSchema,
  to: FileSideSchema,
  /** The same content in both (then there is nothing to show line by line). */
  identical: z.boolean(),
  /** Why there is no line diff: not both text files, too big to read for this, or too different. */
  noText: z.enum(['not-a-file', 'binary', 'too-large', 'too-different']).nullable(),
  lines: z.object({
    hunks: z.array(z.object({
      fromStart: z.number().int(), fromLines: z.number().int(), toStart: z.number().int(), toLines: z.number().int(),
      lines: z.array(z.object({ op: z.enum([' ', '-', '+']), text: z.string() })),
    })),
    added: z.number().int(),
    removed: z.number().int(),
    truncated: z.boolean(),
  }).nullable(),
});

// ---- retention, health --------------------------------------------------------------------

export const RetentionPreviewSchema = z.object({
  /** The policy in restic's words ("keep 7 daily, 4 weekly snapshots"). */
  policy: z.string(),
  /** No rule given: nothing would be removed. */
  policyEmpty: z.boolean(),
  groups: z.array(z.object({
    hostname: z.string(),
    paths: z.array(z.string()),
    tags: z.array(z.string()),
    keep: z.array(z.object({ id: z.string(), time: z.string(), reasons: z.array(z.string()) })),
    remove: z.array(z.object({ id: z.string(), time: z.string() })),
  })),
  /** Every snapshot id the policy would remove. */
  removed: z.array(z.string()),
});

// ---- jobs -------------------------------------------------------------------------------

const OverwriteSchema = z.enum(['never', 'always', 'if-changed']);

export const JobRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('backup'), planId: IdSchema, reason: z.enum(['scheduled', 'catch-up', 'retry', 'manual', 'watch']).optional() }),
  z.strictObject({ kind: z.literal('forget-prune'), planId: IdSchema, dryRun: z.boolean().optional() }),
  z.strictObject({ kind: z.literal('check'), repositoryId: IdSchema, readDataSubset: z.string().min(1).optional() }),
  z.strictObject({ kind: z.literal('copy'), fromRepositoryId: IdSchema, toRepositoryId: IdSchema, snapshotIds: z.array(SnapshotRefSchema).optional() }),
  z.strictObject({
    kind: z.literal('restore'),
    repositoryId: IdSchema,
    snapshotId: SnapshotRefSchema,
    target: LocalTargetSchema,
    include: z.array(SnapshotPathSchema).optional(),
    overwrite: OverwriteSchema.optional(),
  }),
]);

export const RestoreInputSchema = z.strictObject({
  repositoryId: IdSchema,
  snapshotId: SnapshotRefSchema,
  target: LocalTargetSchema,
  include: z.array(SnapshotPathSchema).optional(),
  overwrite: OverwriteSchema.optional(),
});

/** What a restore would do, before it writes anything (the engine's dry run). */
export const RestorePreviewSchema = z.object({
  totalFiles: z.number().int(),
  totalBytes: z.number(),
  /** Existing paths the restore would replace, sorted; with overwrite "never" the restore refuses to start. */
  conflicts: z.array(z.string()),
  /** More conflicts than listed (the list is cut to keep the answer small). */
  conflictsTruncated: z.boolean(),
});

const JobProgressSchema = z.object({
  phase: z.string(),
  filesDone: z.number(),
  filesTotal: z.number().optional(),
  bytesDone: z.number(),
  bytesTotal: z.number().optional(),
  rate: z.number().optional(),
  etaSeconds: z.number().optional(),
  currentPath: z.string().optional(),
});

export const JobInfoSchema = z.object({
  id: z.string(),
  request: JobRequestSchema,
  repositoryIds: z.array(z.string()),
  state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
  queuedAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  progress: JobProgressSchema.optional(),
  summary: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])).optional(),
  error: z.string().optional(),
  errorCode: z.string().optional(),
  snapshotIds: z.array(z.string()).optional(),
});

export const JobBriefSchema = z.object({
  jobId: z.string(),
  state: z.enum(['succeeded', 'failed', 'cancelled']),
  finishedAt: z.number().nullable(),
  error: z.string().nullable(),
});

export const HealthSchema = z.object({
  repositoryId: z.string(),
  lastBackup: JobBriefSchema.nullable(),
  /** When each plan's newest successful backup into this repository finished (a failure since does not hide it). */
  lastSuccessByPlan: z.record(z.string(), z.number()),
  lastCheck: JobBriefSchema.nullable(),
  /** The newest copy job from or to this repository. */
  lastCopy: JobBriefSchema.nullable(),
  /** 3-2-1: how many places hold the data (this repository and copy targets with a successful copy). */
  copies: z.number().int(),
  /** Whether one of those places is off this computer (sftp, s3, rest, rclone). */
  offsite: z.boolean(),
  rule321: z.object({ ok: z.boolean(), problems: z.array(z.string()) }),
});

export const LogLineSchema = z.object({ level: z.enum(['info', 'warning', 'error']), message: z.string(), at: z.number() });

// ---- scheduler --------------------------------------------------------------------------

export const PlanStatusSchema = z.object({
  planId: z.string(),
  state: z.enum(['idle', 'queued', 'running']),
  nextRun: z.number().nullable(),
  /** The end of this plan's own pause, while it lasts. */
  pausedUntil: z.number().optional(),
  lastAttempt: z.number().optional(),
  lastSuccess: z.number().optional(),
  lastResult: z.enum(['success', 'failure']).optional(),
  lastError: z.string().optional(),
  failures: z.number(),
  overdue: z.boolean(),
});

export const SchedulerStatusSchema = z.object({
  /** False when this host runs no scheduler (then nothing runs by itself). */
  available: z.boolean(),
  pausedUntil: z.number().nullable(),
  plans: z.array(PlanStatusSchema),
});

// ---- the host, for the set-up wizard ------------------------------------------------------

export const AppInfoSchema = z.object({
  platform: z.enum(['linux', 'darwin', 'win32']),
  /** The user's home folder, so the wizard can suggest sources and show "~" paths. */
  home: z.string(),
  /** Where passwords go: the OS keyring, the opted-in 0600 file, or nowhere (with the reason). */
  secrets: z.object({ state: z.enum(['keyring', 'file', 'session', 'unavailable']), message: z.string() }),
  /** The plans' exclude presets with the patterns each stands for on this computer. */
  excludePresets: z.array(z.object({ id: ExcludePresetIdSchema, patterns: z.array(z.string()) })),
});

/** One folder's subfolders, for the folder picker. */
export const FolderListingSchema = z.object({
  /** The folder listed, absolute and normalised. */
  path: z.string(),
  /** The folder above it; null at the top of the file system. */
  parent: z.string().nullable(),
  /** The names of its subfolders (visible ones first, each group sorted). */
  folders: z.array(z.string()),
  /** Subfolders left out beyond the listing's limit. */
  more: z.number().int(),
});

export const SourceEstimateSchema = z.object({
  files: z.number().int(),
  bytes: z.number(),
  /** The walk stopped early (time or entry budget): the numbers are a lower bound. */
  truncated: z.boolean(),
  /** Sources that do not exist or cannot be read, each with the reason. */
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});

export const CronCheckSchema = z.object({
  /** Why the expression is refused, or null. */
  problem: z.string().nullable(),
  /** The next few times it fires (ms since the epoch), in this computer's time zone. */
  nextRuns: z.array(z.number()),
});

// ---- repository keys (passwords) ----------------------------------------------------------

/** One key file of a repository, as `cairn key list` shows it. */
export const KeyInfoSchema = z.object({
  id: z.string(),
  /** The key the stored password opens (the one Cairn uses): it cannot be removed. */
  current: z.boolean(),
  userName: z.string(),
  hostName: z.string(),
  created: z.string(),
});

/** A user or host name recorded in a new key: printable, one line. */
export const KeyLabelSchema = z.string().trim().min(1).max(100).regex(/^[^\p{Cc}]*$/u, 'use printable characters only');

export const PasswordChangedSchema = z.object({
  /** The new key's id (the old key is gone). */
  keyId: z.string(),
  /** The stored password was the old one and now is the new one. */
  keyringUpdated: z.boolean(),
});

// ---- app settings ---------------------------------------------------------------------------

export const AppSettingsOutSchema = z.object({
  notifications: z.object({ success: z.boolean(), failure: z.boolean(), overdue: z.boolean() }),
  startAtLogin: z.object({
    /** Whether this host can start Cairn at login (the desktop app can; `cairn serve` cannot). */
    supported: z.boolean(),
    enabled: z.boolean(),
    /** Why it is not supported, in words for the settings screen; null when it is. */
    reason: z.string().nullable(),
  }),
});
