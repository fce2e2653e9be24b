// The schedule and folder choices shared by the wizard and Settings' plan editor: a saved schedule
// becomes the editor's fields and back without changing meaning, and the save checks say why not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanList, excludedInWords, fromSchedule, scheduleProblem, sourcesProblem, toSchedule } from '../../src-renderer/lib/wizard/plan-choices.ts';

test('saved schedules round-trip through the editor fields', () => {
  const cases = [
    { kind: 'manual' },
    { kind: 'interval', minutes: 60 },
    { kind: 'interval', minutes: 30 },
    { kind: 'cron', expression: '30 2 * * *' },
    { kind: 'cron', expression: '5 14 * * *' },
    { kind: 'cron', expression: '0 */4 * * 1-5' },
  ] as const;
  for (const s of cases) {
    const f = fromSchedule(s);
    assert.deepEqual(toSchedule(f.scheduleChoice, f.dailyAt, f.cron, f.minutes), s, JSON.stringify(s));
  }
  assert.equal(fromSchedule({ kind: 'cron', expression: '30 2 * * *' }).scheduleChoice, 'daily');
  assert.equal(fromSchedule({ kind: 'cron', expression: '30 2 * * *' }).dailyAt, '02:30');
  assert.equal(fromSchedule({ kind: 'interval', minutes: 60 }).scheduleChoice, 'hourly');
  assert.equal(fromSchedule({ kind: 'interval', minutes: 90 }).scheduleChoice, 'interval', 'an unusual interval is kept, not rounded to hourly');
  assert.equal(fromSchedule({ kind: 'cron', expression: '75 2 * * *' }).scheduleChoice, 'cron', 'not a time of day: left as cron');
});

test('the save checks name the problem', () => {
  const base = { excludePresets: [], sourceProblems: [] };
  assert.equal(sourcesProblem({ ...base, sources: ['  ', ''] }), 'Type at least one folder to back up.');
  assert.equal(sourcesProblem({ ...base, sources: ['Documents'] }), '"Documents" is not a full path: start it with / or ~.');
  assert.equal(sourcesProblem({ ...base, sources: ['~/Documents', '/srv/data'] }), null);
  assert.match(sourcesProblem({ ...base, sources: ['/gone'], sourceProblems: [{ path: '/gone', message: 'this folder does not exist' }] }) ?? '', /^\/gone: this folder does not exist/);
  const sched = { dailyAt: '12:00', cron: '', cronValid: true, minutes: 60 };
  assert.equal(scheduleProblem({ ...sched, scheduleChoice: 'cron', cronValid: false }), 'Fix the cron expression first.');
  assert.equal(scheduleProblem({ ...sched, scheduleChoice: 'daily', dailyAt: '' }), 'Choose the time of the daily backup.');
  assert.equal(scheduleProblem({ ...sched, scheduleChoice: 'manual' }), null);
  assert.deepEqual(cleanList([' /a ', '/a', '', '/b']), ['/a', '/b']);
});

test('the summary names the left-out presets in words, not by their ids', () => {
  assert.equal(excludedInWords(['trash', 'node_modules']), 'Trash, Installed JavaScript packages (node_modules)');
  assert.equal(excludedInWords([]), 'Nothing');
});
