/**
 * The snapshot budgets at 100 units and 10,000 agencies (DynamoDB Local and s3rver, one evaluation and a
 * second one 15 minutes later with nothing changed): `latest.json` and the largest unit file gzipped, and the
 * bytes each evaluation wrote to S3 (compressed where stored compressed), against their budgets. Part of
 * bench:site; alone: `npx tsx bench/site/budgets.ts`.
 */
import { measureEvaluation } from '../evaluate/measure.ts';

const KB = 1024;
const MB = 1024 * 1024;

const verdict = (value: number, budget: number): string => (value <= budget ? 'within' : 'OVER');

export async function printSnapshotBudgets(log: (line: string) => void = console.log): Promise<void> {
  const figures = await measureEvaluation(100, 100, log, true);
  const unchanged = figures.unchanged;
  log(`snapshot at ${figures.units} units and ${figures.agencies.toLocaleString('en')} agencies:`);
  log(
    `  latest.json gzipped ${(figures.latestGzipBytes / KB).toFixed(1)} KiB (budget 100 KiB: ${verdict(figures.latestGzipBytes, 100 * KB)})`,
  );
  log(
    `  largest unit file gzipped ${(figures.largestUnitGzipBytes / KB).toFixed(1)} KiB (budget 150 KiB: ${verdict(figures.largestUnitGzipBytes, 150 * KB)})`,
  );
  log(
    `  first evaluation wrote ${(figures.snapshotBytes / MB).toFixed(2)} MiB in ${figures.snapshotObjects} objects (budget 15 MiB: ${verdict(figures.snapshotBytes, 15 * MB)})`,
  );
  if (unchanged)
    log(
      `  next evaluation, nothing changed, wrote ${(unchanged.snapshotBytes / MB).toFixed(2)} MiB in ${unchanged.snapshotObjects} objects (budget 15 MiB: ${verdict(unchanged.snapshotBytes, 15 * MB)})`,
    );
}

if (import.meta.url === `file://${process.argv[1]}`) await printSnapshotBudgets();
