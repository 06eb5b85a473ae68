import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../domain/errors.ts';

export type MediaType = 'json' | 'form';

const MEDIA: Record<MediaType, string> = {
  json: 'application/json',
  form: 'application/x-www-form-urlencoded',
};

function mediaTypeOf(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The raw body as bytes, decompressed under a hard output limit so a small gzip bomb cannot expand. */
export function bodyBytes(event: APIGatewayProxyEventV2, maxBytes: number): Buffer {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  const encoding = (event.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return bytes;
  if (encoding !== 'gzip') {
    throw new UnsupportedMediaTypeError(
      `Content-Encoding ${encoding} is not supported; send gzip or no encoding.`,
    );
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if (error instanceof RangeError) throw tooLarge(maxBytes);
    throw new ValidationError('The body is declared as gzip but is not valid gzip data.', { cause: error });
  }
}

/** A plain-text body is measured where it is, with no copy into a buffer and back. */
function plainText(body: string, maxBytes: number): string {
  if (body.length > maxBytes || Buffer.byteLength(body) > maxBytes) throw tooLarge(maxBytes);
  return body;
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The body must be at most ${maxBytes} bytes after decompression.`);
}

/** Parses the body as one of the accepted media types; anything else is a 415 naming what is accepted. */
export function parseBody(
  event: APIGatewayProxyEventV2,
  accepted: readonly MediaType[],
  maxBytes: number,
): unknown {
  const declared = mediaTypeOf(event.headers['content-type']);
  const media = accepted.find((type) => MEDIA[type] === declared);
  if (!media) {
    throw new UnsupportedMediaTypeError(
      `Content-Type ${declared || '(none)'} is not accepted here; use ${accepted.map((type) => MEDIA[type]).join(' or ')}.`,
    );
  }
  const plain =
    !event.isBase64Encoded &&
    (event.headers['content-encoding'] ?? 'identity').trim().toLowerCase() === 'identity';
  const text = plain ? plainText(event.body ?? '', maxBytes) : bodyBytes(event, maxBytes).toString('utf8');
  if (media === 'form') return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch (error) {
    // gzip data starts with the bytes 1f 8b; sent with no Content-Encoding, it reaches here undecoded.
    if (!event.headers['content-encoding'] && text.charCodeAt(0) === 0x1f) {
      throw new ValidationError(
        'The body is gzip-compressed but the request has no "Content-Encoding: gzip" header; add it, or send the JSON uncompressed.',
        { cause: error },
      );
    }
    const detail = error instanceof SyntaxError ? error.message : 'unreadable';
    throw new ValidationError(`The body is not valid JSON: ${detail}.`, { cause: error });
  }
}
