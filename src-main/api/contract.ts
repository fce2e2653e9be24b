// The API contract: every operation the UI can call, once, with its HTTP route and its input and
// output schemas. Both transports serve exactly this table: `cairn serve` maps method + path to an
// operation, the Electron preload will call operations by name. The renderer imports only the
// types at the bottom of this file (`import type`), never this module's values.
//
// Inputs are one flat object: for HTTP it is the path parameters, the query string and the JSON
// body merged; for IPC it is the argument. Path parameters are named like the input fields they fill.
import { z } from 'zod';
import type { JobEvent } from '../jobs/types.ts';
import type { CairnNotification } from '../notify/types.ts';
import type { SchedulerEvent } from '../scheduler/index.ts';
import {
  CredentialsSchema,
  AppInfoSchema, ConnectionReportSchema, FolderListingSchema, CronCheckSchema, ExcludePresetIdSchema, LocalTargetSchema, SourceEstimateSchema, countSchema, DiffOutSchema, FileVersionSchema, FlagSchema, HealthSchema, IdSchema, JobInfoSchema,
  JobRequestSchema, LogLineSchema, PasswordSchema, PlanFieldsSchema, PlanSchema, ProfilesOutSchema, RepositoryFieldsSchema,
  RepositoryOpenedSchema, RepositoryOutSchema, RestoreInputSchema, RestorePreviewSchema, RetentionPreviewSchema, RetentionSchema, SchedulerStatusSchema,
  SearchHitSchema, SnapshotOutSchema, FileCompareSchema, SnapshotPathSchema, SnapshotRefSchema, TreePageSchema,
  AppSettingsOutSchema, KeyInfoSchema, KeyLabelSchema, PasswordChangedSchema,
} from './schemas.ts';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Operation<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  method: HttpMethod;
  /** Under /api/; ":name" segments fill the input field of that name. */
  path: string;
  input: I;
  output: O;
}

function op<I extends z.ZodType, O extends z.ZodType>(method: HttpMethod, path: string, input: I, output: O): Operation<I, O> {
  return { method, path, input, output };
}

const Ok = z.object({ ok: z.literal(true) });
const RepoRef = { repositoryId: IdSchema };
/** Largest page of a listing: enough for a screen, small enough to answer fast. */
export const MAX_PAGE = 1000;

export const operations = {
  // ---- the host: what the set-up wizard asks before anything is saved -------------------
  'app.info': op('GET', '/api/app', z.strictObject({}), AppInfoSchema),
  /** How much the chosen folders hold, after excludes; bounded in time, so it may be a lower bound. */
  'sources.estimate': op('POST', '/api/sources/estimate', z.strictObject({
    paths: z.array(LocalTargetSchema).min(1).max(100),
    excludes: z.array(z.string().min(1)).max(1000).optional(),
    excludePresets: z.array(ExcludePresetIdSchema).optional(),
  }), SourceEstimateSchema),
  /** The subfolders of a folder on the computer running Cairn (home when none is given): the folder picker. */
  'folders.list': op('GET', '/api/folders', z.strictObject({ path: LocalTargetSchema.optional() }), FolderListingSchema),
  'schedules.checkCron': op('POST', '/api/cron-check', z.strictObject({ expression: z.string().min(1).max(200) }), CronCheckSchema),

  // ---- profiles: repositories and plans --------------------------------------------------
  'profiles.get': op('GET', '/api/profiles', z.strictObject({}), ProfilesOutSchema),
  'repositories.create': op('POST', '/api/repositories', z.strictObject({
    ...RepositoryFieldsSchema.shape,
    id: IdSchema.optional(),
    /** Goes to the keyring; required to init. */
    password: PasswordSchema.optional(),
    /** False: the password is kept only until Cairn stops (then asked for again), never saved. */
    rememberPassword: FlagSchema.optional(),
    /** Backend secrets; to the keyring too. */
    credentials: CredentialsSchema.optional(),
    /** Create the repository at the location too (it must not exist yet). */
    init: FlagSchema.optional(),
  }), RepositoryOutSchema),
  'repositories.update': op('PATCH', '/api/repositories/:repositoryId', z.strictObject({
    ...RepoRef,
    ...RepositoryFieldsSchema.partial().shape,
    password: PasswordSchema.optional(),
    credentials: CredentialsSchema.optional(),
  }), RepositoryOutSchema),
  'repositories.delete': op('DELETE', '/api/repositories/:repositoryId', z.strictObject(RepoRef), Ok),
  /** For the wizard, before anything is saved. */
  'repositories.testLocation': op('POST', '/api/connection-test', z.strictObject({
    location: z.string().min(1),
    password: PasswordSchema.optional(),
    options: z.record(z.string(), z.string()).optional(),
    /** Used for this test only, never stored. */
    credentials: CredentialsSchema.optional(),
  }), ConnectionReportSchema),
  'repositories.test': op('POST', '/api/repositories/:repositoryId/test', z.strictObject(RepoRef), ConnectionReportSchema),
  /** Replaces a saved storage credential (SFTP password, S3 keys, REST password) only once a
   * connection test with it (and the saved repository password) gets in; never echoed back. */
  'repositories.setCredentials': op('POST', '/api/repositories/:repositoryId/credentials', z.strictObject({
    ...RepoRef,
    credentials: CredentialsSchema.refine((c) => Object.values(c).some((v) => v !== undefined), 'give the new credential'),
    /** S3's access key id goes with its secret key; it is no secret and lives in the profile's options. */
    s3AccessKeyId: z.string().trim().min(1).max(256).optional(),
  }), z.object({ saved: z.boolean(), report: ConnectionReportSchema })),
  /** Gives Cairn a repository's password after checking it opens the repository: saved, or (remember
   * false) kept only until Cairn stops. How a repository whose password was not saved is unlocked. */
  'repositories.unlock': op('POST', '/api/repositories/:repositoryId/unlock', z.strictObject({
    ...RepoRef,
    password: PasswordSchema,
    remember: FlagSchema,
  }), RepositoryOutSchema),
  /** Removes the saved (or session) password: Cairn asks for it again before the next backup. */
  'repositories.forgetPassword': op('POST', '/api/repositories/:repositoryId/forget-password', z.strictObject(RepoRef), RepositoryOutSchema),
  'repositories.init': op('POST', '/api/repositories/:repositoryId/init', z.strictObject({ ...RepoRef, password: PasswordSchema.optional() }), RepositoryOpenedSchema),
  'repositories.open': op('POST', '/api/repositories/:repositoryId/open', z.strictObject(RepoRef), RepositoryOpenedSchema),
  'plans.create': op('POST', '/api/plans', z.strictObject({ ...PlanFieldsSchema.shape, id: IdSchema.optional() }), PlanSchema),
  'plans.update': op('PATCH', '/api/plans/:planId', z.strictObject({ planId: IdSchema, ...PlanFieldsSchema.partial().shape }), PlanSchema),
  'plans.delete': op('DELETE', '/api/plans/:planId', z.strictObject({ planId: IdSchema }), Ok),

  // ---- browsing a repository --------------------------------------------------------------
  'snapshots.list': op('GET', '/api/repositories/:repositoryId/snapshots', z.strictObject(RepoRef), z.object({ snapshots: z.array(SnapshotOutSchema) })),
  'snapshots.tree': op('GET', '/api/repositories/:repositoryId/snapshots/:snapshotId/tree', z.strictObject({
    ...RepoRef,
    snapshotId: SnapshotRefSchema,
    path: SnapshotPathSchema.default('/'),
    cursor: z.string().max(200).optional(),
    limit: countSchema(MAX_PAGE).default(200),
    /** Start at this position instead of a cursor: a jump far into a big folder is one request. */
    offset: z.coerce.number().int().min(0).max(1e9).optional(),
  }), TreePageSchema),
  'snapshots.search': op('GET', '/api/repositories/:repositoryId/search', z.strictObject({
    ...RepoRef,
    // restic's find pattern, e.g. "*.pdf" or "/home/me/taxes".
    pattern: z.string().min(1).max(1000),
    ignoreCase: FlagSchema.optional(),
    /** Only this snapshot; all when omitted. */
    snapshotId: SnapshotRefSchema.optional(),
    limit: countSchema(MAX_PAGE).default(200),
  }), z.object({ hits: z.array(SearchHitSchema), truncated: z.boolean() })),
  'snapshots.diff': op('GET', '/api/repositories/:repositoryId/diff', z.strictObject({
    ...RepoRef,
    from: SnapshotRefSchema,
    to: SnapshotRefSchema,
    metadata: FlagSchema.optional(),
    limit: countSchema(100_000).default(1000),
  }), DiffOutSchema),
  'files.versions': op('GET', '/api/repositories/:repositoryId/versions', z.strictObject({ ...RepoRef, path: SnapshotPathSchema }),
    z.object({ path: z.string(), versions: z.array(FileVersionSchema) })),
  /** Two versions of one file (the version timeline's "Compare"): what differs, line by line for text. */
  'files.compare': op('GET', '/api/repositories/:repositoryId/compare', z.strictObject({
    ...RepoRef,
    path: SnapshotPathSchema,
    from: SnapshotRefSchema,
    to: SnapshotRefSchema,
  }), FileCompareSchema),
  'restores.start': op('POST', '/api/restores', RestoreInputSchema, JobInfoSchema),
  /** The same restore as a dry run: what it would write and which existing paths are in the way. */
  'restores.preview': op('POST', '/api/restores/preview', RestoreInputSchema, RestorePreviewSchema),
  'retention.preview': op('POST', '/api/plans/:planId/retention-preview', z.strictObject({
    planId: IdSchema,
    /** Preview this policy instead of the saved one (while the user edits it). */
    retention: RetentionSchema.optional(),
  }), RetentionPreviewSchema),
  'repositories.health': op('GET', '/api/repositories/:repositoryId/health', z.strictObject(RepoRef), HealthSchema),

  // ---- jobs -------------------------------------------------------------------------------
  'jobs.start': op('POST', '/api/jobs', JobRequestSchema, JobInfoSchema),
  'jobs.list': op('GET', '/api/jobs', z.strictObject({}), z.object({ jobs: z.array(JobInfoSchema) })),
  'jobs.get': op('GET', '/api/jobs/:jobId', z.strictObject({ jobId: z.string().min(1).max(100) }), JobInfoSchema),
  'jobs.cancel': op('DELETE', '/api/jobs/:jobId', z.strictObject({ jobId: z.string().min(1).max(100) }), z.object({ cancelled: z.boolean() })),
  'jobs.log': op('GET', '/api/jobs/:jobId/log', z.strictObject({ jobId: z.string().min(1).max(100) }), z.object({ lines: z.array(LogLineSchema) })),
  'jobs.history': op('GET', '/api/history', z.strictObject({
    planId: IdSchema.optional(),
    repositoryId: IdSchema.optional(),
    limit: countSchema(200).default(50),
    /** The next page: the jobs older than this one (the last of the page before). A cursor, not an
     * offset, so a job finishing between two pages neither repeats nor hides an entry. */
    before: z.string().min(1).max(100).optional(),
  }).refine((v) => v.planId !== undefined || v.repositoryId !== undefined, 'give planId or repositoryId'),
  z.object({ jobs: z.array(JobInfoSchema), /** Older jobs follow this page. */ more: z.boolean() })),

  // ---- scheduler --------------------------------------------------------------------------
  'scheduler.status': op('GET', '/api/scheduler', z.strictObject({}), SchedulerStatusSchema),
  'scheduler.pause': op('POST', '/api/scheduler/pause', z.strictObject({ until: z.number().int().positive() }), SchedulerStatusSchema),
  'scheduler.resume': op('POST', '/api/scheduler/resume', z.strictObject({}), SchedulerStatusSchema),
  /** One plan's pause (its card's "Pause"); the scheduler refuses an end in the past or over a year ahead. */
  'scheduler.pausePlan': op('POST', '/api/scheduler/plans/:planId/pause', z.strictObject({ planId: IdSchema, until: z.number().int().positive() }), SchedulerStatusSchema),
  'scheduler.resumePlan': op('POST', '/api/scheduler/plans/:planId/resume', z.strictObject({ planId: IdSchema }), SchedulerStatusSchema),

  // ---- repository keys: the passwords that open a repository --------------------------------
  'keys.list': op('GET', '/api/repositories/:repositoryId/keys', z.strictObject(RepoRef), z.object({ keys: z.array(KeyInfoSchema) })),
  /** Another password for the same repository (a family member's); the stored one stays. */
  'keys.add': op('POST', '/api/repositories/:repositoryId/keys', z.strictObject({
    ...RepoRef,
    password: PasswordSchema,
    userName: KeyLabelSchema.optional(),
    hostName: KeyLabelSchema.optional(),
  }), KeyInfoSchema),
  /** Never the key Cairn opens the repository with. */
  'keys.remove': op('DELETE', '/api/repositories/:repositoryId/keys/:keyId', z.strictObject({ ...RepoRef, keyId: z.string().regex(/^[0-9a-f]{4,64}$/, 'use a key id (or a unique prefix of at least 4 digits)') }),
    z.object({ removed: z.string() })),
  /** `key passwd`: a new key with the new password, then the old password's key is removed. */
  'repositories.changePassword': op('POST', '/api/repositories/:repositoryId/password', z.strictObject({
    ...RepoRef,
    oldPassword: PasswordSchema,
    newPassword: PasswordSchema,
  }), PasswordChangedSchema),

  // ---- the app's own settings -----------------------------------------------------------------
  'settings.get': op('GET', '/api/settings', z.strictObject({}), AppSettingsOutSchema),
  'settings.update': op('PATCH', '/api/settings', z.strictObject({
    notifications: z.strictObject({ success: z.boolean(), failure: z.boolean(), overdue: z.boolean() }).partial().optional(),
    startAtLogin: z.boolean().optional(),
  }), AppSettingsOutSchema),
  // ---- after a restore ------------------------------------------------------------------------
  /**
   * Opens the file manager (on the machine `cairn serve` runs on) at a path a finished restore of
   * this session wrote: a restored folder itself, a restored file's folder. Other paths are refused.
   */
  'restores.showInFolder': op('POST', '/api/restores/show-in-folder', z.strictObject({
    jobId: z.string().min(1).max(100),
    path: z.string().min(1).max(4096),
  }), z.object({ opened: z.string() })),
} as const;

export type Operations = typeof operations;
export type OpName = keyof Operations;
/** What a client sends (before defaults and coercion). */
export type ApiInput<K extends OpName> = z.input<Operations[K]['input']>;
/** What a handler receives (validated, defaults applied). */
export type ApiParsedInput<K extends OpName> = z.output<Operations[K]['input']>;
export type ApiOutput<K extends OpName> = z.output<Operations[K]['output']>;

export function isOpName(name: string): name is OpName {
  return Object.hasOwn(operations, name);
}

/** Everything a client is told without asking, in order (SSE at GET /api/events; IPC events). */
export type ApiEvent =
  | JobEvent
  | { type: 'scheduler'; event: SchedulerEvent }
  /** Repositories or plans changed (from another window or client): fetch profiles again. */
  | { type: 'profiles-changed' }
  /**
   * Something to tell the user (a failed backup, a plan overdue, a restore done). Sent by hosts
   * without native notifications (`cairn serve`); the Electron app shows them natively instead.
   */
  | { type: 'notification'; notification: CairnNotification };

/** Errors as every transport reports them: the CairnError code and its one-line message. */
export interface ApiError {
  code: string;
  message: string;
}

