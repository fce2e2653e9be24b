import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockTime, formatBytes, relativeTime, trayModel, type TrayInput, type TrayItem, type TrayPlanInput } from '../../src-main/tray/index.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const TZ = 'Europe/Berlin';
// 2026-06-10 13:00 in Berlin (CEST, UTC+2).
const NOW = Date.UTC(2026, 5, 10, 11, 0);

function p(id: string, extra: Partial<TrayPlanInput> = {}): TrayPlanInput {
  return { id, name: id[0].toUpperCase() + id.slice(1), state: 'idle', overdue: false, lastResult: 'success', lastSuccess: NOW - 2 * HOUR, ...extra };
}

function model(input: Partial<TrayInput>) {
  return trayModel({ plans: [p('documents')], running: [], now: NOW, timeZone: TZ, ...input });
}

function labels(items: TrayItem[]): string[] {
  return items.map((i) => (i.kind === 'separator' ? '---' : i.kind === 'submenu' ? `${i.label} >` : i.label));
}

test('relative times read like a person would say them', () => {
  const cases: [number, string][] = [
    [10_000, 'just now'],
    [-5_000, 'just now'],
    [70_000, '1 minute ago'],
    [5 * MIN, '5 minutes ago'],
    [50 * MIN, '1 hour ago'],
    [2 * HOUR, '2 hours ago'],
    [21 * HOUR, '21 hours ago'],
    [26 * HOUR, 'yesterday'],
    [3 * 24 * HOUR, '3 days ago'],
    [65 * 24 * HOUR, '2 months ago'],
    [400 * 24 * HOUR, '1 year ago'],
  ];
  for (const [ago, text] of cases) assert.equal(relativeTime(NOW - ago, NOW), text, `${ago} ms ago`);
});

test('sizes and clock times', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(2_100_000_000), '2.1 GB');
  assert.equal(formatBytes(950_000_000), '950 MB');
  assert.equal(clockTime(Date.UTC(2026, 5, 10, 13, 0), NOW, TZ), '15:00');
  assert.equal(clockTime(Date.UTC(2026, 5, 11, 7, 30), NOW, TZ), 'tomorrow 09:30');
  assert.equal(clockTime(Date.UTC(2026, 5, 15, 7, 30), NOW, TZ), 'Mon 15 Jun 09:30');
});

test('idle: last backup relative time, one "Back up now", pause choices, open, quit', () => {
  const m = model({});
  assert.equal(m.icon, 'idle');
  assert.equal(m.tooltip, 'Cairn — Last backup 2 hours ago');
  assert.deepEqual(labels(m.items), ['Last backup 2 hours ago', '---', 'Back up now', 'Pause schedules for 1 hour', 'Pause schedules until tomorrow', '---', 'Open Cairn', 'Quit Cairn']);
  const actions = m.items.flatMap((i) => (i.kind === 'action' ? [i.action] : []));
  assert.deepEqual(actions[0], { type: 'backup-now', planId: 'documents' });
  assert.deepEqual(actions[1], { type: 'pause', until: NOW + HOUR });
  assert.deepEqual(actions[2], { type: 'pause', until: Date.UTC(2026, 5, 10, 22, 0) }, 'until local midnight in Berlin');
  assert.deepEqual(actions.slice(3), [{ type: 'open' }, { type: 'quit' }]);
});

test('the most recent success of any plan is the "last backup"; none yet says so', () => {
  const m = model({ plans: [p('a', { lastSuccess: NOW - 3 * 24 * HOUR }), p('b', { lastSuccess: NOW - 5 * MIN })] });
  assert.deepEqual(m.items[0], { kind: 'status', label: 'Last backup 5 minutes ago' });
  assert.equal(model({ plans: [p('a', { lastSuccess: undefined, lastResult: undefined })] }).tooltip, 'Cairn — No backup yet');
  assert.equal(model({ plans: [] }).tooltip, 'Cairn — No backup plans yet');
});

test('running: percent and sizes, the plan shown as running and disabled, other plans still offered', () => {
  const m = model({
    plans: [p('documents', { state: 'running' }), p('photos')],
    running: [{ planId: 'documents', bytesDone: 2_100_000_000, bytesTotal: 4_900_000_000 }],
  });
  assert.equal(m.icon, 'running');
  assert.equal(m.tooltip, 'Cairn — Backing up 42% — 2.1 GB of 4.9 GB');
  const sub = m.items.find((i) => i.kind === 'submenu');
  assert.ok(sub && sub.kind === 'submenu');
  assert.deepEqual(sub.items.map((i) => (i.kind === 'action' ? [i.label, i.enabled] : [])), [['Documents (running)', false], ['Photos', true]]);
  assert.equal(model({ running: [{ planId: 'documents', bytesDone: 43, bytesTotal: 100 }] }).tooltip, 'Cairn — Backing up 43% — 43 B of 100 B');
  assert.equal(model({ running: [{ planId: 'documents', bytesDone: 5_000_000, bytesTotal: null }, { planId: 'x', bytesDone: 0, bytesTotal: null }] }).tooltip, 'Cairn — Backing up — 5.0 MB so far (+1 more)');
});

test('a failed backup shows its reason on one line, and beats overdue and paused', () => {
  const m = model({
    plans: [p('documents', { lastResult: 'failure', lastError: 'repository /mnt/usb is not reachable: plug in the disk\nat open()' }), p('photos', { overdue: true })],
    pausedUntil: NOW + 2 * HOUR,
  });
  assert.equal(m.icon, 'error');
  assert.deepEqual(labels(m.items).slice(0, 2), ['Backup failed: repository /mnt/usb is not reachable: plug in the disk', 'Paused until 15:00']);
  assert.ok(labels(m.items).includes('Resume schedules'));
  assert.ok(!labels(m.items).includes('Pause schedules for 1 hour'));
  const long = model({ plans: [p('d', { lastResult: 'failure', lastError: 'x'.repeat(200) })] });
  assert.ok(long.tooltip.endsWith('…') && long.tooltip.length < 110);
});

test('overdue names the plans; paused shows the end of the pause and offers Resume', () => {
  const o = model({ plans: [p('documents', { overdue: true }), p('photos', { overdue: true }), p('music')] });
  assert.equal(o.icon, 'overdue');
  assert.equal(o.tooltip, 'Cairn — Overdue: Documents, Photos');

  const paused = model({ pausedUntil: Date.UTC(2026, 5, 10, 13, 0) });
  assert.equal(paused.icon, 'paused');
  assert.equal(paused.tooltip, 'Cairn — Paused until 15:00');
  const resume = paused.items.find((i) => i.kind === 'action' && i.action.type === 'resume');
  assert.ok(resume);

  // A pause that has ended is no pause.
  assert.equal(model({ pausedUntil: NOW - MIN }).icon, 'idle');
});

test('"until tomorrow" is local midnight, also on the night the clocks change', () => {
  // 2026-10-24 20:00 in Berlin (CEST); midnight after it is still CEST (the change is at 03:00).
  const now = Date.UTC(2026, 9, 24, 18, 0);
  const m = trayModel({ plans: [], running: [], now, timeZone: TZ });
  const tomorrow = m.items.find((i) => i.kind === 'action' && i.label === 'Pause schedules until tomorrow');
  assert.ok(tomorrow && tomorrow.kind === 'action');
  assert.deepEqual(tomorrow.action, { type: 'pause', until: Date.UTC(2026, 9, 24, 22, 0) });
  // On the 25-hour day itself, midnight after noon is in CET.
  const m2 = trayModel({ plans: [], running: [], now: Date.UTC(2026, 9, 25, 11, 0), timeZone: TZ });
  const t2 = m2.items.find((i) => i.kind === 'action' && i.label === 'Pause schedules until tomorrow');
  assert.ok(t2 && t2.kind === 'action');
  assert.deepEqual(t2.action, { type: 'pause', until: Date.UTC(2026, 9, 25, 23, 0) });
});
