// A job service over real local repositories in a temp folder, with real profiles and a fixed
// password source, for the app-level job tests.
import fs from 'node:fs';
import path from 'node:path';
import { createJobService, type JobEvent, type JobServiceOptions, type LocalJobService } from '../../src-main/jobs/index.ts';
import { ProfilesService, type PlanInput } from '../../src-main/profiles/index.ts';
import { mulberry32, randomBytes } from './random.ts';
import { resticOk, tmpDir } from './tools.ts';

export const PASSWORD = 'correct horse battery staple 42';

export interface Fixture {
  root: string;
  dataDir: string;
  profiles: ProfilesService;
  service: LocalJobService;
  events: JobEvent[];
  /** A new repository (initialised by restic, version 2) added to the profiles. */
  addRepo(id: string): Promise<string>;
  addPlan(input: Omit<PlanInput, 'schedule' | 'name'> & { id: string }): Promise<void>;
  /** A fresh service on the same data folder (as after a restart). */
  restart(extra?: Partial<JobServiceOptions>): Promise<LocalJobService>;
}

export async function jobFixture(extra: Partial<JobServiceOptions> = {}): Promise<Fixture> {
  const root = tmpDir('jobs');
  const dataDir = path.join(root, 'data');
  const { service: profiles } = await ProfilesService.open(path.join(root, 'config'));
  const events: JobEvent[] = [];
  const make = (more: Partial<JobServiceOptions>) => {
    const s = createJobService({ profiles, dataDir, getPassword: async () => PASSWORD, cacheDir: null, ...extra, ...more });
    s.subscribe((e) => events.push(e));
    return s;
  };
  const f: Fixture = {
    root, dataDir, profiles, events,
    service: make({}),
    async addRepo(id) {
      const location = path.join(root, id);
      resticOk(location, ['init', '--repository-version', '2'], { password: PASSWORD });
      await profiles.addRepository({ id, name: id, location });
      return location;
    },
    async addPlan(input) {
      await profiles.addPlan({ name: input.id, schedule: { kind: 'interval', minutes: 60 }, ...input });
    },
    async restart(more = {}) {
      f.service = make(more);
      return f.service;
    },
  };
  return f;
}

/** `count` files of random (incompressible) bytes, `size` each, in `dir`. */
export function writeRandomFiles(dir: string, count: number, size: number, seed = 1): void {
  fs.mkdirSync(dir, { recursive: true });
  const rand = mulberry32(seed);
  for (let i = 0; i < count; i++) fs.writeFileSync(path.join(dir, `file-${String(i).padStart(3, '0')}.bin`), randomBytes(rand, size));
}

export interface ResticSnapshot {
  id: string;
  paths: string[];
  hostname: string;
  tags?: string[];
  original?: string;
}

export function resticSnapshots(repo: string): ResticSnapshot[] {
  return JSON.parse(resticOk(repo, ['snapshots', '--json'], { password: PASSWORD })) as ResticSnapshot[];
}
