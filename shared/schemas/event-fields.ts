import { z } from 'zod';

/**
 * The one definition of every field that crosses from ingest to the workers. The public schemas
 * (`api.ts`) add descriptions and parse ISO text; the queue contract (`queue.ts`) reads the same fields as
 * epoch milliseconds. Both are built from the bounds below, so a worker accepts whatever ingest accepted:
 * a field that ingest lets through can never make a queued message poison.
 */

/** No monitored system predates 2000; anything earlier is a sender's placeholder or a bug, not a time. */
export const EARLIEST_INSTANT_MS = Date.UTC(2000, 0, 1);
/** Far beyond any due date, and far inside what a JavaScript number and DynamoDB hold exactly. */
export const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1) - 1;
export const INSTANT_RANGE_TEXT = 'from 2000-01-01T00:00:00Z to 2099-12-31T23:59:59.999Z';

/** A time inside the pipeline: epoch milliseconds within the instant bounds. */
export const instantMillis = z
  .number()
  .int()
  .min(EARLIEST_INSTANT_MS, `must be ${INSTANT_RANGE_TEXT}`)
  .max(LATEST_INSTANT_MS, `must be ${INSTANT_RANGE_TEXT}`);

export function isWithinInstantBounds(ms: number): boolean {
  return Number.isInteger(ms) && ms >= EARLIEST_INSTANT_MS && ms <= LATEST_INSTANT_MS;
}

/**
 * .NET's `DateTime.MinValue` (0001-01-01T00:00:00, in any offset) is how several senders write "no date".
 * Where a field may be absent it means absent; where it is required it is refused with this explanation.
 */
const NO_DATE = /^0001-01-01T00:00:00(\.0+)?(Z|[+-]\d{2}:\d{2})$/;
export const isNoDatePlaceholder = (value: unknown): boolean =>
  typeof value === 'string' && NO_DATE.test(value);
export const NO_DATE_MESSAGE = 'is 0001-01-01T00:00:00, which means "no date", but a time is required here';

export const STATUS_MIN = 1;
export const STATUS_MAX = 10;
export const SUPPLEMENT_REQUESTS_MAX = 100;
export const AMOUNT_VND_MAX = 1e13;
export const SATISFACTION_MIN = 1;
export const SATISFACTION_MAX = 5;
export const EVENT_ID_MAX = 128;
export const EVENT_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
export const ONLINE_LEVELS = ['none', 'partial', 'full'] as const;

export const nationalStatus = z
  .number()
  .int()
  .min(STATUS_MIN, 'must be a national status code from 1 to 10')
  .max(STATUS_MAX, 'must be a national status code from 1 to 10');

export const submissionChannel = z.union([z.literal(1), z.literal(2), z.literal(3)], {
  message: 'must be 1 (in person), 2 (online) or 3 (postal)',
});

export const onlineLevelField = z.enum(ONLINE_LEVELS);

export const supplementRequestsField = z.number().int().min(0).max(SUPPLEMENT_REQUESTS_MAX);

export const amountVndField = z.number().int('must be a whole number of đồng').min(0).max(AMOUNT_VND_MAX);

export const satisfactionField = z.number().int().min(SATISFACTION_MIN).max(SATISFACTION_MAX);

export const eventIdField = z
  .string()
  .min(1)
  .max(EVENT_ID_MAX)
  .regex(EVENT_ID_PATTERN, 'must use only letters, digits, dot, colon, dash or underscore');
