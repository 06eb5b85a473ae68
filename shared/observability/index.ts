import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV } from '../config/env-names.ts';

/** One logger and one metrics object per process, as Powertools expects; the handlers attach them. */
export const logger = new Logger({ serviceName: process.env[ENV.powertoolsServiceName] ?? 'emc' });
export const metrics = new Metrics({ namespace: process.env[ENV.powertoolsMetricsNamespace] ?? 'EMC' });
export { MetricUnit };
