// A mistyped schedule is explained in plain words, not in the cron library's terms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronProblem } from '../../src-main/profiles/schedule.ts';

test('cron problems say what is wrong and how a schedule looks', () => {
  assert.equal(cronProblem('0 3 * * *'), null);
  assert.equal(cronProblem('0 9 * * MON-FRI'), null);
  assert.match(cronProblem('61 * * *')!, /needs five fields, minute hour day month weekday, such as "0 3 \* \* \*".*this one has 4/);
  assert.match(cronProblem('61 * * * *')!, /out of range for the minute \(0-59\) field/);
  assert.match(cronProblem('* 25 * * *')!, /hour \(0-23\)/);
  assert.match(cronProblem('* * * * 8')!, /weekday \(0-7 or SUN-SAT\)/);
  assert.match(cronProblem('a * * * *')!, /"a" is not something a field understands/);
  assert.match(cronProblem('*/0 * * * *')!, /step .* at least 1/);
  for (const bad of ['61 * * *', '61 * * * *', 'a * * * *', '*/0 * * * *', '']) assert.doesNotMatch(cronProblem(bad)!, /CronPattern|configuration entry/);
});
