import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CREDENTIALS, REGION } from '../config/local-stack.ts';

export interface LocalEndpoints {
  dynamodb: string;
  s3: string;
  sqs: string;
}

export interface LocalClients {
  dynamodb: DynamoDBClient;
  s3: S3Client;
  sqs: SQSClient;
}

/**
 * SDK clients for the local servers, with the settings s3rver needs (path style, and checksums only when
 * required, or streamed uploads keep their chunk framing).
 */
export function localClients(endpoints: LocalEndpoints): LocalClients {
  const config = { region: REGION, credentials: CREDENTIALS };
  return {
    dynamodb: new DynamoDBClient({ ...config, endpoint: endpoints.dynamodb }),
    s3: new S3Client({
      ...config,
      endpoint: endpoints.s3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    }),
    sqs: new SQSClient({ ...config, endpoint: endpoints.sqs }),
  };
}
