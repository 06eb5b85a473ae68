/**
 * One evaluation and publish of 100 units with 10,000 agencies in all, against DynamoDB Local and s3rver,
 * and the same at 50 units with 5,000 agencies in the same run: wall time, and DynamoDB read requests per
 * unit, which must stay the same at both sizes (reads grow linearly with units, not with events).
 */
import { measureEvaluation } from './measure.ts';

const small = await measureEvaluation(50, 100, console.log);
const large = await measureEvaluation(100, 100, console.log);
for (const run of [small, large]) {
  console.log(
    `${run.units} units, ${run.agencies} agencies: evaluated and published in ${run.seconds.toFixed(2)} s; ${run.readRequests} read requests (${(run.readRequests / run.units).toFixed(1)} per unit), ${run.readUnits.toFixed(0)} RCU (${(run.readUnits / run.units).toFixed(1)} per unit); snapshot ${run.snapshotObjects} objects, ${(run.snapshotBytes / 1e6).toFixed(1)} MB; statuses ${JSON.stringify(run.byStatus)}`,
  );
}
console.log(`budget: 100 units, 10,000 agencies in ${large.seconds.toFixed(2)} s   (target <= 30 s)`);
console.log(
  `linearity: read requests per unit at 100 units / at 50 units = ${(large.readRequests / large.units / (small.readRequests / small.units)).toFixed(3)}   (target 1.0 ± 0.05); time ratio ${(large.seconds / small.seconds).toFixed(2)} for 2x the units`,
);
console.log(JSON.stringify({ small, large }));
