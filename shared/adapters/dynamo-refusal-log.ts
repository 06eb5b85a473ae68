import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { Refusal, RefusalLogPort } from '../domain/ports.ts';
import { addDays, dayOf } from '../domain/time.ts';
import type { RefusalReason } from '../schemas/me.ts';
import { refusalReasons } from '../schemas/me.ts';
import { dynamo } from './dynamo-client.ts';
import { withRetry } from './dynamo-retry.ts';
import { keys } from './state-keys.ts';

/** Examples kept per unit, day and reason: a ring of this many slots, the n-th refusal of the day in slot n mod 5. */
export const EXAMPLE_SLOTS = 5;
/** Refusal items outlive the 7 days GET /v1/me shows by one day. */
const KEEP_DAYS = 8;

const exampleSchema = z.object({
  at: z.number(),
  path: z.string(),
  message: z.string(),
  eventId: z.string().optional(),
  codeProfile: z.string().optional(),
});
export type RefusalExample = z.infer<typeof exampleSchema>;

const itemSchema = z
  .object({ sk: z.enum(refusalReasons), n: z.number().int().nonnegative() })
  .catchall(z.unknown());

export interface RefusalDay {
  date: string;
  reason: RefusalReason;
  count: number;
  examples: RefusalExample[];
}

/**
 * Refusals counted per unit, day and reason: two UpdateItems per reason refused in a request (an `ADD` to the
 * count, then up to five example slots), nothing at all for a request with nothing refused. The items expire
 * by TTL, so the log never grows past a week and a day per unit.
 */
export class DynamoRefusalLog implements RefusalLogPort {
  constructor(
    private readonly table: string,
    private readonly utcOffsetMinutes: number,
    private readonly client: DynamoDBDocumentClient = dynamo,
  ) {}

  async record(unitCode: string, at: number, refusals: readonly Refusal[]): Promise<void> {
    const day = dayOf(at, this.utcOffsetMinutes);
    const byReason = new Map<RefusalReason, Refusal[]>();
    for (const refusal of refusals)
      byReason.set(refusal.reason, [...(byReason.get(refusal.reason) ?? []), refusal]);
    const expiresAt = Math.floor(Date.parse(`${addDays(day, KEEP_DAYS)}T00:00:00Z`) / 1000);
    for (const [reason, group] of byReason) {
      const item = keys.refusals(unitCode, day, reason);
      // First the count, which numbers these refusals n-k … n-1 among the day's; then each example goes to
      // the slot of its number, so concurrent requests fill different slots and the newest five survive.
      const counted = await withRetry(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: item,
            UpdateExpression: 'ADD n :n SET expiresAt = :ttl',
            ExpressionAttributeValues: { ':n': group.length, ':ttl': expiresAt },
            ReturnValues: 'UPDATED_NEW',
          }),
        ),
      );
      const first = Number(counted.Attributes?.n ?? group.length) - group.length;
      const values: Record<string, unknown> = {};
      const sets: string[] = [];
      group.slice(0, EXAMPLE_SLOTS).forEach((refusal, i) => {
        const example: RefusalExample = {
          at,
          path: refusal.path.slice(0, 200),
          message: refusal.message.slice(0, 300),
        };
        if (refusal.eventId !== undefined) example.eventId = refusal.eventId.slice(0, 128);
        if (refusal.codeProfile !== undefined) example.codeProfile = refusal.codeProfile;
        values[`:e${i}`] = example;
        sets.push(`e${(first + i) % EXAMPLE_SLOTS} = :e${i}`);
      });
      await withRetry(() =>
        this.client.send(
          new UpdateCommand({
            TableName: this.table,
            Key: item,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    }
  }

  /** The unit's refusals of the `days` days up to and including `now`'s day, newest day first. */
  async recent(unitCode: string, now: number, days: number): Promise<RefusalDay[]> {
    const today = dayOf(now, this.utcOffsetMinutes);
    const dates = Array.from({ length: days }, (_, i) => addDays(today, -i));
    const perDay = await Promise.all(
      dates.map(async (date) => {
        const result = await withRetry(() =>
          this.client.send(
            new QueryCommand({
              TableName: this.table,
              KeyConditionExpression: 'pk = :pk',
              ExpressionAttributeValues: { ':pk': keys.refusalPartition(unitCode, date) },
            }),
          ),
        );
        return (result.Items ?? []).map((raw) => {
          const item = itemSchema.parse(raw);
          const examples = Array.from({ length: EXAMPLE_SLOTS }, (_, i) => item[`e${i}`])
            .filter((value) => value !== undefined)
            .map((value) => exampleSchema.parse(value));
          return { date, reason: item.sk, count: item.n, examples };
        });
      }),
    );
    return perDay.flat();
  }
}
