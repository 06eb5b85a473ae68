import { execFile } from 'node:child_process';
import type { Stack } from '../../local/stack.ts';

export interface EmcRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `emc …` against the local stack of `dataDir`, in a child process and asynchronously: the stack's servers run
 * in the test's own process and must keep answering while the command runs.
 */
export function emc(
  dataDir: string,
  args: readonly string[],
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Promise<EmcRun> {
  return new Promise((resolve) => {
    execFile(
      'npx',
      ['tsx', 'cli/emc.ts', ...args],
      { env: { ...process.env, ...env, EMC_DATA_DIR: dataDir }, encoding: 'utf8', timeout: timeoutMs },
      (error, stdout, stderr) => resolve({ status: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

/** Drains the queues and evaluates as often as a change of status needs confirming (`confirmations`: 2). */
export async function settle(stack: Stack): Promise<void> {
  await stack.drained(300_000);
  await stack.evaluateNow();
  await stack.evaluateNow();
}
