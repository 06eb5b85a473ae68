import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSqsServer } from 'local-aws-sqs';
import { ENV } from '../shared/config/env-names.ts';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

export interface RunningServer {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** Children die with this process, whatever ends it, so no emulator outlives the stack. */
function tieToParent(child: ChildProcess): void {
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  });
}

/**
 * Java arguments that start DynamoDB Local through `LoopbackDynamoDB.java`, which binds it to 127.0.0.1:
 * its own launcher listens on every interface. Compiled once per version of the source where `javac`
 * exists; otherwise Java runs the source file directly (a few seconds more per start).
 */
function loopbackLauncher(jar: string): string[] {
  const source = join(here, 'LoopbackDynamoDB.java');
  const version = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 16);
  const compiled = join(tmpdir(), `emc-loopback-dynamodb-${version}`);
  if (!existsSync(join(compiled, 'LoopbackDynamoDB.class'))) {
    const staging = `${compiled}.${process.pid}`;
    const javac = spawnSync('javac', ['-nowarn', '-cp', jar, '-d', staging, source], { stdio: 'ignore' });
    try {
      if (javac.status === 0) renameSync(staging, compiled);
    } catch {
      // Another process compiled it first.
    }
    rmSync(staging, { recursive: true, force: true });
  }
  return existsSync(join(compiled, 'LoopbackDynamoDB.class'))
    ? ['-cp', `${jar}${delimiter}${compiled}`, 'LoopbackDynamoDB']
    : ['-cp', jar, source];
}

/**
 * AWS's own DynamoDB Local (shipped in the amplify-dynamodb-simulator package), run by the machine's Java
 * and bound to loopback only. It supports every operation the workers use, transactions included. With
 * `dataDir` it persists there.
 */
export async function startDynamoLocal(
  options: { dataDir?: string; port?: number } = {},
): Promise<RunningServer> {
  const pkg = dirname(require.resolve('amplify-dynamodb-simulator/package.json'));
  const port = options.port ?? (await freePort());
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  const cwd = options.dataDir ?? mkdtempSync(join(tmpdir(), 'emc-dynamodb-'));
  mkdirSync(cwd, { recursive: true });
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(pkg, 'emulator', 'DynamoDBLocal_lib')}`,
      ...loopbackLauncher(join(pkg, 'emulator', 'DynamoDBLocal.jar')),
      ...storage,
      '-port',
      String(port),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], cwd },
  );
  tieToParent(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`DynamoDB Local could not start (is Java installed?): ${error.message}`)),
    );
    child.once('exit', (code) =>
      reject(new Error(`DynamoDB Local exited with ${code}: ${stderr.slice(0, 500)}`)),
    );
  });
  failed.catch(() => undefined);
  // A JVM on a busy machine can take well over 30 s to answer for the first time.
  await Promise.race([
    waitFor(
      async () => {
        const response = await fetch(endpoint, { method: 'POST' });
        return response.status > 0;
      },
      'DynamoDB Local',
      90_000,
    ),
    failed,
  ]);
  return { endpoint, port, stop: () => stopChild(child) };
}

/** s3rver in a child process, persisted under `directory`. */
export async function startS3(options: {
  directory: string;
  buckets: string[];
  port?: number;
}): Promise<RunningServer> {
  mkdirSync(options.directory, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      join(here, 's3rver-process.mjs'),
      options.directory,
      String(options.port ?? 0),
      options.buckets.join(','),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        [ENV.nodeOptions]: `${process.env[ENV.nodeOptions] ?? ''} --openssl-legacy-provider`.trim(),
      },
    },
  );
  tieToParent(child);
  const port = await new Promise<number>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return { endpoint: `http://127.0.0.1:${port}`, port, stop: () => stopChild(child) };
}

/** local-aws-sqs, in process; it speaks the SDK's current JSON protocol. */
export async function startSqs(options: { port?: number } = {}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const server = await createSqsServer({ port, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
