// The tray menu as data: a pure function from the app's state to the icon, the tooltip and the
// menu items. The Electron shell only renders it and sends the chosen action back, so all of the
// wording and the priorities are tested here without a desktop.
import { Cron } from 'croner';
import { clockTime, formatBytes, oneLine, relativeTime } from './format.ts';

export type TrayIcon = 'idle' | 'running' | 'error' | 'paused' | 'overdue';

export interface TrayPlanInput {
  id: string;
  name: string;
  state: 'idle' | 'queued' | 'running';
  lastSuccess?: number;
  lastResult?: 'success' | 'failure';
  /** Already one line and redacted (the job runner's message). */
  lastError?: string;
  overdue: boolean;
}

export interface TrayProgress {
  planId: string;
  bytesDone: number;
  /** Unknown while the source is still being scanned. */
  bytesTotal: number | null;
}

export interface TrayInput {
  plans: readonly TrayPlanInput[];
  running: readonly TrayProgress[];
  pausedUntil?: number;
  now: number;
  /** IANA zone for clock times; default the system's. */
  timeZone?: string;
}

export type TrayAction =
  | { type: 'backup-now'; planId: string }
  | { type: 'pause'; until: number }
  | { type: 'resume' }
  | { type: 'open' }
  | { type: 'quit' };

export type TrayItem =
  | { kind: 'status'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; label: string; enabled: boolean; action: TrayAction }
  | { kind: 'submenu'; label: string; items: TrayItem[] };

export interface TrayModel {
  icon: TrayIcon;
  tooltip: string;
  items: TrayItem[];
}

const HOUR = 3_600_000;

/** Local midnight after `now` in the zone: "until tomorrow" means the rest of today. */
export function startOfTomorrow(now: number, timeZone?: string): number {
  const next = new Cron('0 0 * * *', { timezone: timeZone }).nextRun(new Date(now));
  return next ? next.getTime() : now + 24 * HOUR;
}

function progressLine(p: TrayProgress, more: number): string {
  const extra = more > 0 ? ` (+${more} more)` : '';
  if (p.bytesTotal === null || p.bytesTotal <= 0) return `Backing up — ${formatBytes(p.bytesDone)} so far${extra}`;
  // Floor: "100%" only when it is really done.
  const pct = Math.min(100, Math.floor((p.bytesDone / p.bytesTotal) * 100));
  return `Backing up ${pct}% — ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}${extra}`;
}

export function trayModel(input: TrayInput): TrayModel {
  const { plans, running, now, timeZone } = input;
  const paused = input.pausedUntil !== undefined && input.pausedUntil > now ? input.pausedUntil : undefined;
  const failed = plans.filter((p) => p.lastResult === 'failure');
  const overdue = plans.filter((p) => p.overdue);
  const pausedLine = paused !== undefined ? `Paused until ${clockTime(paused, now, timeZone)}` : undefined;

  // Priority: what is happening now, then what needs the user (a failure before a plan merely
  // late), then the user's own pause, then the all-is-well line.
  let icon: TrayIcon;
  let status: string;
  if (running.length > 0) {
    icon = 'running';
    status = progressLine(running[0], running.length - 1);
  } else if (failed.length > 0) {
    icon = 'error';
    status = `Backup failed: ${oneLine(failed[0].lastError ?? 'unknown error')}`;
  } else if (overdue.length > 0) {
    icon = 'overdue';
    status = `Overdue: ${overdue.map((p) => p.name).join(', ')}`;
  } else if (pausedLine !== undefined) {
    icon = 'paused';
    status = pausedLine;
  } else {
    icon = 'idle';
    const last = Math.max(...plans.map((p) => p.lastSuccess ?? -Infinity));
    status = plans.length === 0 ? 'No backup plans yet' : Number.isFinite(last) ? `Last backup ${relativeTime(last, now)}` : 'No backup yet';
  }

  const items: TrayItem[] = [{ kind: 'status', label: status }];
  if (pausedLine !== undefined && icon !== 'paused') items.push({ kind: 'status', label: pausedLine });
  items.push({ kind: 'separator' });

  const backupItem = (p: TrayPlanInput, label: string): TrayItem => ({
    kind: 'action',
    label: p.state === 'idle' ? label : `${label} (${p.state === 'running' ? 'running' : 'waiting'})`,
    enabled: p.state === 'idle',
    action: { type: 'backup-now', planId: p.id },
  });
  if (plans.length === 1) items.push(backupItem(plans[0], 'Back up now'));
  else if (plans.length > 1) items.push({ kind: 'submenu', label: 'Back up now', items: plans.map((p) => backupItem(p, p.name)) });

  if (paused !== undefined) {
    items.push({ kind: 'action', label: 'Resume schedules', enabled: true, action: { type: 'resume' } });
  } else {
    items.push({ kind: 'action', label: 'Pause schedules for 1 hour', enabled: true, action: { type: 'pause', until: now + HOUR } });
    items.push({ kind: 'action', label: 'Pause schedules until tomorrow', enabled: true, action: { type: 'pause', until: startOfTomorrow(now, timeZone) } });
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', label: 'Open Cairn', enabled: true, action: { type: 'open' } });
  items.push({ kind: 'action', label: 'Quit Cairn', enabled: true, action: { type: 'quit' } });

  return { icon, tooltip: `Cairn — ${status}`, items };
}
