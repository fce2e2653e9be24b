// How long a pause can be chosen for, in the dashboard's pause menus (all schedules, or one plan).
export const PAUSE_DURATIONS = [
  { label: 'For 1 hour', ms: 3_600_000 },
  { label: 'For 1 day', ms: 86_400_000 },
  { label: 'For 1 week', ms: 7 * 86_400_000 },
] as const;
