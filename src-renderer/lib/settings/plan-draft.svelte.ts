// A plan being edited in Settings: its fields as the shared folder and schedule editors bind to
// them, seeded from the saved plan, and the changes to send. The server validates again on save.
import type { ApiInput, ExcludePresetId, Plan } from '../api/index.ts';
import { cleanList, fromSchedule, scheduleProblem, sourcesProblem, toSchedule, type ScheduleChoice, type ScheduleFields, type SourceFields } from '../wizard/plan-choices.ts';

export class PlanDraft implements ScheduleFields, SourceFields {
  readonly planId: string;
  name = $state('');
  sources = $state<string[]>([]);
  excludePresets = $state<ExcludePresetId[]>([]);
  excludes = $state<string[]>([]);
  sourceProblems = $state<{ path: string; message: string }[]>([]);
  scheduleChoice = $state<ScheduleChoice>('daily');
  dailyAt = $state('12:00');
  cron = $state('');
  cronValid = $state(true);
  minutes = $state(60);
  /** The plan had an interval other than hourly: the editor offers to keep it. */
  readonly hadInterval: boolean;

  constructor(plan: Plan) {
    this.planId = plan.id;
    this.name = plan.name;
    this.sources = plan.sources.length ? [...plan.sources] : [''];
    this.excludePresets = [...plan.excludePresets];
    this.excludes = [...plan.excludes];
    const s = fromSchedule(plan.schedule);
    this.scheduleChoice = s.scheduleChoice;
    this.dailyAt = s.dailyAt;
    this.cron = s.cron;
    this.minutes = s.minutes;
    this.hadInterval = s.scheduleChoice === 'interval';
  }

  /** Why it cannot be saved yet (in words shown beside the Save button), or null. */
  get problem(): string | null {
    if (this.name.trim() === '') return 'Give the plan a name.';
    // A folder that is missing right now (a drive unplugged) is shown by the estimate but does not
    // block saving: the plan's other settings must stay editable while the drive is away.
    return sourcesProblem({ sources: this.sources, excludePresets: this.excludePresets, sourceProblems: [] }) ?? scheduleProblem(this);
  }

  changes(): ApiInput<'plans.update'> {
    return {
      planId: this.planId,
      name: this.name.trim(),
      sources: cleanList(this.sources),
      excludePresets: [...this.excludePresets],
      excludes: cleanList(this.excludes),
      schedule: toSchedule(this.scheduleChoice, this.dailyAt, this.cron, this.minutes),
    };
  }
}
