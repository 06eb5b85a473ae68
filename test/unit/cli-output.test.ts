import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAsOf } from '../../cli/arguments.ts';
import { CliError } from '../../cli/context.ts';
import { loadSettings } from '../../shared/config/settings.ts';

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

/** The CLI's help, which needs no stack: it is printed before the CLI looks for one. */
function help(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      tsx,
      [fileURLToPath(new URL('../../cli/emc.ts', import.meta.url)), ...args, '--help'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, EMC_DATA_DIR: '/nonexistent' },
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
  });
}

describe('emc --help', () => {
  it('says a revoked key is refused within the key-cache time, not at once', async () => {
    const text = await help('keys');
    const seconds = loadSettings({}).ingest.keyCacheSeconds;
    expect(text).toContain(`within the key-cache time (ingest.keyCacheSeconds, ${seconds} s by default)`);
    expect(text).not.toMatch(/immediate/i);
  }, 30_000);

  it('lists emc dossiers void with its required reason and its dry run', async () => {
    expect(await help()).toContain(
      'emc dossiers void <unitCode> <dossierCode…> --reason R [--dry-run] [--json]',
    );
    expect(await help('dossiers')).toContain('--dry-run prints what would change and writes nothing.');
  }, 30_000);
});

describe('every emc command', () => {
  it('ends through exitAfterFlush: no file of the CLI but exit.ts calls process.exit', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const dir = fileURLToPath(new URL('../../cli/', import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    const exiting = files.filter((f) => /process\.exit\s*\(/.test(readFileSync(`${dir}${f}`, 'utf8')));
    expect(exiting).toEqual(['exit.ts']);
    const main = readFileSync(`${dir}emc.ts`, 'utf8');
    expect(main).toMatch(/main\(process\.argv\.slice\(2\)\)\.then\(\s*\(\) => exitAfterFlush\(0\)/);
  });
});
