// Method and path of every operation, for the HTTP transport. The renderer may not import the
// contract's values (only its types), so the table is repeated here: `satisfies` makes a missing
// or unknown operation a compile error, and test/unit/renderer-routes.test.ts checks each method
// and path against src-main/api/contract.ts.
import type { HttpMethod, OpName } from '../../../src-main/api/contract.ts';

export const routes = {
  'app.info': ['GET', '/api/app'],
  'sources.estimate': ['POST', '/api/sources/estimate'],
  'schedules.checkCron': ['POST', '/api/cron-check'],
  'profiles.get': ['GET', '/api/profiles'],
  'repositories.create': ['POST', '/api/repositories'],
  'repositories.update': ['PATCH', '/api/repositories/:repositoryId'],
  'repositories.delete': ['DELETE', '/api/repositories/:repositoryId'],
  'repositories.testLocation': ['POST', '/api/connection-test'],
  'repositories.test': ['POST', '/api/repositories/:repositoryId/test'],
  'repositories.init': ['POST', '/api/repositories/:repositoryId/init'],
  'repositories.open': ['POST', '/api/repositories/:repositoryId/open'],
  'plans.create': ['POST', '/api/plans'],
  'plans.update': ['PATCH', '/api/plans/:planId'],
  'plans.delete': ['DELETE', '/api/plans/:planId'],
  'snapshots.list': ['GET', '/api/repositories/:repositoryId/snapshots'],
  'snapshots.tree': ['GET', '/api/repositories/:repositoryId/snapshots/:snapshotId/tree'],
  'snapshots.search': ['GET', '/api/repositories/:repositoryId/search'],
  'snapshots.diff': ['GET', '/api/repositories/:repositoryId/diff'],
  'files.versions': ['GET', '/api/repositories/:repositoryId/versions'],
  'restores.start': ['POST', '/api/restores'],
  'restores.preview': ['POST', '/api/restores/preview'],
  'retention.preview': ['POST', '/api/plans/:planId/retention-preview'],
  'repositories.health': ['GET', '/api/repositories/:repositoryId/health'],
  'jobs.start': ['POST', '/api/jobs'],
  'jobs.list': ['GET', '/api/jobs'],
  'jobs.get': ['GET', '/api/jobs/:jobId'],
  'jobs.cancel': ['DELETE', '/api/jobs/:jobId'],
  'jobs.log': ['GET', '/api/jobs/:jobId/log'],
  'jobs.history': ['GET', '/api/history'],
  'scheduler.status': ['GET', '/api/scheduler'],
  'scheduler.pause': ['POST', '/api/scheduler/pause'],
  'scheduler.resume': ['POST', '/api/scheduler/resume'],
  'restores.showInFolder': ['POST', '/api/restores/show-in-folder'],
} as const satisfies Record<OpName, readonly [HttpMethod, string]>;
