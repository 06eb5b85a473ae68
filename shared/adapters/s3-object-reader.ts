import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { s3PathStyle } from './client-config.ts';

/** One stored object with the headers a web server repeats. */
export interface StoredObject {
  bytes: Buffer;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  cacheControl: string | undefined;
}

/**
 * Reads published objects back: the local gateway serves snapshots from it as CloudFront does, and
 * `emc status` reads `snapshots/latest.json`. A missing key is `undefined`, any other failure throws.
 */
export class S3ObjectReader {
  readonly client: S3Client;

  constructor(
    private readonly bucket: string,
    client?: S3Client,
  ) {
    this.client = client ?? new S3Client({ forcePathStyle: s3PathStyle() });
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []),
        contentType: object.ContentType,
        contentEncoding: object.ContentEncoding,
        cacheControl: object.CacheControl,
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey'))
        return undefined;
      throw error;
    }
  }
}
