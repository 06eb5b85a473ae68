import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV } from '../config/env-names.ts';

/** One logger and one metrics object per process, as Powertools expects; the handlers attach them. */
export const logger = new Logger({ serviceName: process.env[ENV.powertoolsServiceName] ?? 'emc' });

const text = (content: unknown[]): string => content.map(String).join(' ');

/**
 * Metrics speaks through the structured logger. Its warning that a flush had nothing to publish is only
 * debug: every handler records at least one metric, so it happens only on one machine, where the local
 * stack's handlers share this object and one invocation's flush takes another's metrics.
 */
export const metricsLogger = {
  debug: (...content: unknown[]) => logger.debug(text(content)),
  info: (...content: unknown[]) => logger.info(text(content)),
  warn: (...content: unknown[]) =>
    text(content).startsWith('No application metrics to publish')
      ? logger.debug(text(content))
      : logger.warn(text(content)),
  error: (...content: unknown[]) => logger.error(text(content)),
};

export const metrics = new Metrics({
  namespace: process.env[ENV.powertoolsMetricsNamespace] ?? 'EMC',
  logger: metricsLogger,
});
export { MetricUnit };
