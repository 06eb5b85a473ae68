import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RegistryPort } from '../domain/evaluation/ports.ts';
import { type Unit, type UnitInput, unitSchema } from '../schemas/registry.ts';
import { dynamo } from './dynamo-client.ts';
import { queryAll } from './dynamo-query.ts';
import { withRetry } from './dynamo-retry.ts';
import { registryKeys } from './state-keys.ts';
import { checkTransaction, type TransactItem } from './transaction-guard.ts';

/** The unit registry: one small item per unit in one partition, read once per evaluation. */
export class DynamoRegistry implements RegistryPort {
  constructor(
    private readonly table: string,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async listUnits(): Promise<Unit[]> {
    const items = await queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': registryKeys.registryPartition },
    });
    return items.map((item) => unitSchema.parse(JSON.parse(String(item.unit))));
  }

  async getUnit(unitCode: string): Promise<Unit | undefined> {
    const result = await withRetry(() =>
      this.client.send(new GetCommand({ TableName: this.table, Key: registryKeys.unit(unitCode) })),
    );
    return result.Item ? unitSchema.parse(JSON.parse(String(result.Item.unit))) : undefined;
  }

  /** Writes the units of one lifecycle change together: a merge never lands half done. */
  async putUnits(units: readonly Unit[]): Promise<void> {
    if (units.length === 0) return;
    const items: TransactItem[] = units.map((unit) => ({
      Put: {
        TableName: this.table,
        Item: { ...registryKeys.unit(unit.unitCode), unit: JSON.stringify(unitSchema.parse(unit)) },
      },
    }));
    checkTransaction(items);
    await withRetry(() => this.client.send(new TransactWriteCommand({ TransactItems: items })));
  }

  async putUnit(input: UnitInput): Promise<Unit> {
    const unit = unitSchema.parse(input);
    await withRetry(() =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...registryKeys.unit(unit.unitCode), unit: JSON.stringify(unit) },
        }),
      ),
    );
    return unit;
  }
}
