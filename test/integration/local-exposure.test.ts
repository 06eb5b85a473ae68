import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, snapshotKey } from '../../local/gateway.ts';
import { freePort, startSqs } from '../../local/servers.ts';
import { S3ObjectReader } from '../../shared/adapters/s3-object-reader.ts';
import { type LocalAws, startLocalAws } from '../helpers/local-aws.ts';

let aws: LocalAws;
let gateway: Server;
let url: string;
const siteDir = mkdtempSync(join(tmpdir(), 'emc-site-'));

beforeAll(async () => {
  aws = await startLocalAws();
  for (const [key, body] of [
    ['snapshots/latest.json', '{"generation":"public"}'],
    ['alerts/2026/11/23/alert-1.json', '{"secret":"ALERT-ARCHIVE"}'],
    ['raw/dossier-events/H48/2026-11-23/m.ndjson', '{"secret":"RAW-ARCHIVE"}'],
  ] as const)
    await aws.s3.send(new PutObjectCommand({ Bucket: aws.bucket, Key: key, Body: body }));
  mkdirSync(siteDir, { recursive: true });
  writeFileSync(join(siteDir, 'index.html'), '<!doctype html><title>site</title>');
  gateway = createGateway({
    routes: [
      {
        method: 'POST',
        path: '/v1/heartbeats',
        name: 'ingest-heartbeats',
        handler: async () => ({ statusCode: 202 }),
      },
    ],
    snapshots: new S3ObjectReader(aws.bucket, aws.s3),
    siteDir,
    health: () => ({ ready: true, components: {} }),
    clock: () => Date.parse('2026-11-23T03:00:00Z'),
  });
  const port = await freePort();
  await new Promise<void>((resolve) => gateway.listen(port, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${port}`;
}, 90_000);
afterAll(async () => {
  await new Promise((resolve) => gateway?.close(resolve));
  await aws?.stop();
  rmSync(siteDir, { recursive: true, force: true });
});

describe('the local gateway serves only snapshots', () => {
  it('serves a published snapshot', async () => {
    const response = await fetch(`${url}/snapshots/latest.json`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"generation":"public"}');
  });

  it.each([
    '/snapshots/..%2Falerts%2F2026%2F11%2F23%2Falert-1.json',
    '/snapshots/..%2Fraw%2Fdossier-events%2FH48%2F2026-11-23%2Fm.ndjson',
    '/snapshots/x%2F..%2F..%2Falerts%2F2026%2F11%2F23%2Falert-1.json',
    '/snapshots/..%5Calerts%5C2026%5C11%5C23%5Calert-1.json',
    '/snapshots/%2E%2E%2Falerts%2F2026%2F11%2F23%2Falert-1.json',
    '/snapshots/..%252Falerts%252F2026%252F11%252F23%252Falert-1.json',
    '/snapshots/%2e%2e/raw/dossier-events/H48/2026-11-23/m.ndjson',
    '/alerts/2026/11/23/alert-1.json',
  ])('never answers %s with another prefix’s object', async (path) => {
    const response = await fetch(`${url}${path}`);
    const text = await response.text();
    expect(text).not.toMatch(/ALERT-ARCHIVE|RAW-ARCHIVE/);
  });

  it('answers an encoded traversal with 404', async () => {
    const response = await fetch(`${url}/snapshots/..%2Falerts%2F2026%2F11%2F23%2Falert-1.json`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('the local gateway answers its own refusals as the API does', () => {
  it('answers a wrong method with 405, the method-not-allowed problem type and an allow header', async () => {
    const response = await fetch(`${url}/v1/heartbeats`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ type: 'urn:emc:problem:method-not-allowed', status: 405 });
  });

  it('answers a path the API lacks with 404 and the not-found problem type', async () => {
    const response = await fetch(`${url}/v1/nothing`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: 'urn:emc:problem:not-found', status: 404 });
  });
});

describe('snapshotKey', () => {
  it.each([
    ['/snapshots/latest.json', 'snapshots/latest.json'],
    ['/snapshots/units/H48.json', 'snapshots/units/H48.json'],
    ['/snapshots/g/2026-11-23T03%3A30/units/H48.json', 'snapshots/g/2026-11-23T03:30/units/H48.json'],
    ['/snapshots/..%2Fraw%2Fx', undefined],
    ['/snapshots/a%2F..%2Fb', undefined],
    ['/snapshots/.%2Fb', undefined],
    ['/snapshots/a%2F%2Fb', undefined],
    ['/snapshots/a%5Cb', undefined],
    ['/snapshots/a%00b', undefined],
    ['/snapshots/a%25b', undefined],
    ['/snapshots/%E0%A4%A', undefined],
    ['/snapshotsx/latest.json', undefined],
  ])('%s → %s', (path, key) => {
    expect(snapshotKey(path)).toBe(key);
  });
});

/** Local addresses of the sockets listening on a port, from the kernel's tables (hex, as /proc writes them). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) found.push(local.slice(0, -5));
    }
  }
  return found;
}
const LOOPBACK = new Set([
  '0100007F',
  '0000000000000000FFFF00000100007F',
  '00000000000000000000000001000000',
]);

describe('every local server listens on loopback only', () => {
  it('DynamoDB Local, s3rver, SQS and the gateway', async () => {
    const sqs = await startSqs();
    try {
      for (const endpoint of [aws.dynamoEndpoint, aws.s3Endpoint, sqs.endpoint, url]) {
        const addresses = listeners(Number(new URL(endpoint).port));
        expect(addresses.length, endpoint).toBeGreaterThan(0);
        for (const address of addresses)
          expect(LOOPBACK.has(address), `${endpoint} on ${address}`).toBe(true);
      }
    } finally {
      await sqs.stop();
    }
  });
});
