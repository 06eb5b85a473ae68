import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

export interface TableNames {
  state: string;
  keys: string;
  /** Shared per-unit rate windows; without it ingest limits each process on its own. */
  rate?: string;
}

export const defaultTableNames: TableNames = { state: 'emc-state', keys: 'emc-keys', rate: 'emc-rate' };

/** The same tables the CDK stack defines; creating one that exists is not an error. */
export async function createTables(
  client: DynamoDBClient,
  names: TableNames = defaultTableNames,
): Promise<void> {
  const create = async (input: ConstructorParameters<typeof CreateTableCommand>[0]): Promise<void> => {
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  };
  await create({
    TableName: names.state,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  });
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: names.state,
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    )
    .catch(() => undefined);
  await create({
    TableName: names.keys,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'prefix', AttributeType: 'S' },
      { AttributeName: 'unitCode', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'prefix', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byUnit',
        KeySchema: [{ AttributeName: 'unitCode', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
  if (names.rate) {
    await create({
      TableName: names.rate,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'window', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'window', KeyType: 'HASH' }],
    });
  }
}
