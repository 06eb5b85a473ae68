import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { processClock } from '../shared/config/clock.ts';
import { jsonResponse } from '../shared/runtime/problem.ts';

const clock = processClock();

/** GET /v1/health: the API answers; queue and table health are watched by alarms, not by callers. */
export const handler = async (): Promise<APIGatewayProxyResultV2> =>
  jsonResponse(200, { status: 'ok', time: new Date(clock()).toISOString() });
