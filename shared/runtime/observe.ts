import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { ClientError } from '../domain/errors.ts';
import { logger, MetricUnit, metrics } from '../observability/index.ts';
import { problemResponse, statusOf } from './problem.ts';

/**
 * The start of every handler, whatever triggers it (HTTP, SQS, schedule): the logger gets the Lambda
 * context (request id, cold start) with keys reset per invocation, then metrics are flushed after the
 * handler, on success and on error alike. Tracing is X-Ray's active tracing, which `infra/emc-function.ts`
 * turns on for every function alike. One order, one place.
 */
export function observed<TEvent, TResult>(): MiddyfiedHandler<TEvent, TResult> {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

/**
 * The HTTP edge's error middleware: a client error is logged as a refusal and answered with its problem;
 * anything else is logged in full and answered with a generic 500. Both are counted, as are the requests
 * that succeed.
 */
export function httpProblems(): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    after: async () => {
      metrics.addMetric('RequestsAnswered', MetricUnit.Count, 1);
    },
    onError: async (request) => {
      const error = request.error;
      if (error instanceof ClientError) {
        logger.info('request refused', {
          status: statusOf(error),
          reason: error.name,
          detail: error.message,
        });
        metrics.addMetric('RequestsRefused', MetricUnit.Count, 1);
      } else {
        logger.error('request failed', { error: error instanceof Error ? error : String(error) });
        metrics.addMetric('RequestsFailed', MetricUnit.Count, 1);
      }
      request.response = problemResponse(error, request.event.requestContext?.requestId);
    },
  };
}
