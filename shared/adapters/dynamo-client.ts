import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CLIENT_DEFAULTS } from './client-config.ts';

/** One client per process, shared by every DynamoDB adapter. */
export const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient(CLIENT_DEFAULTS), {
  marshallOptions: { removeUndefinedValues: true },
});
