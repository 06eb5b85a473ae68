import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { compressed, servedBody } from '../../local/gateway.ts';

const json = Buffer.from(
  JSON.stringify({ units: Array.from({ length: 200 }, (_, i) => ({ unitCode: `H${i}` })) }),
);

describe('the local gateway compresses snapshots as CloudFront does', () => {
  it('prefers Brotli, and the bytes come back the same', () => {
    const { encoding, body } = compressed(json, 'gzip, deflate, br');
    expect(encoding).toBe('br');
    expect(body.length).toBeLessThan(json.length / 4);
    expect(brotliDecompressSync(body).equals(json)).toBe(true);
  });

  it('falls back to gzip, and to the stored bytes when the client takes neither', () => {
    const gzip = compressed(json, 'gzip');
    expect(gzip.encoding).toBe('gzip');
    expect(gunzipSync(gzip.body).equals(json)).toBe(true);
    expect(compressed(json, undefined)).toEqual({ encoding: null, body: json });
    expect(compressed(json, 'identity')).toEqual({ encoding: null, body: json });
  });

  it('honours q=0, and leaves bodies under 1 KiB alone', () => {
    expect(compressed(json, 'br;q=0, gzip').encoding).toBe('gzip');
    const small = Buffer.alloc(1023, 'a');
    expect(compressed(small, 'br').encoding).toBeNull();
    expect(compressed(Buffer.alloc(1024, 'a'), 'br').encoding).toBe('br');
  });

  it('sends an object stored gzipped as it is, never compressed twice, and inflates it for a client without gzip', () => {
    const stored = gzipSync(json);
    const passed = servedBody(stored, 'gzip', 'gzip, deflate, br');
    expect(passed.encoding).toBe('gzip');
    expect(passed.body.equals(stored)).toBe(true);
    const refused = servedBody(stored, 'gzip', 'gzip;q=0, br');
    expect(refused.encoding).toBe('br');
    expect(brotliDecompressSync(refused.body).equals(json)).toBe(true);
    const plain = servedBody(stored, 'gzip', undefined);
    expect(plain.encoding).toBeNull();
    expect(plain.body.equals(json)).toBe(true);
    expect(servedBody(json, undefined, 'gzip').encoding).toBe('gzip');
  });
});
