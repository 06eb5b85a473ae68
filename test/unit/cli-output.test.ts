import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAsOf } from '../../cli/arguments.ts';
import { CliError } from '../../cli/context.ts';

const exitModule = fileURLToPath(new URL('../../cli/exit.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** Runs a script that writes `bytes` to a pipe, reads the pipe slowly, and counts what arrives. */
function bytesThroughPipe(exit: string, bytes: number): Promise<number> {
  const script = `import { exitAfterFlush } from ${JSON.stringify(exitModule)};
process.stdout.write('x'.repeat(${bytes}));
${exit}`;
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ['--eval', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let received = 0;
    child.stdout.pause();
    setTimeout(() => {
      child.stdout.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      child.stdout.resume();
    }, 300);
    child.on('error', reject);
    child.on('close', () => resolve(received));
  });
}

describe('the emc CLI’s output', () => {
  it('reaches a slow pipe whole, past 64 KiB, when the CLI exits', async () => {
    expect(await bytesThroughPipe('exitAfterFlush(0);', 1_048_576)).toBe(1_048_576);
  }, 30_000);

  it('is cut at the pipe’s buffer by a bare process.exit, which is why the CLI does not use it', async () => {
    expect(await bytesThroughPipe('exitAfterFlush; process.exit(0);', 1_048_576)).toBeLessThan(1_048_576);
  }, 30_000);
});

describe('emc evaluate --at', () => {
  const now = Date.parse('2026-12-01T10:00:00Z');

  it('evaluates now without --at, and as of now or any earlier time', () => {
    expect(parseAsOf(undefined, now)).toBe(now);
    expect(parseAsOf('2026-12-01T17:00:00+07:00', now)).toBe(now);
    expect(parseAsOf('2026-12-01T16:59:59.999+07:00', now)).toBe(now - 1);
  });

  it('refuses a time one millisecond in the future, and a text that is no time', () => {
    expect(() => parseAsOf('2026-12-01T17:00:00.001+07:00', now)).toThrow(CliError);
    expect(() => parseAsOf('2026-12-01T17:00:00.001+07:00', now)).toThrow(/in the future/);
    expect(() => parseAsOf('yesterday', now)).toThrow(/not an ISO-8601 time/);
  });
});
