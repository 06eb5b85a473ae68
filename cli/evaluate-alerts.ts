import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AlertArchiveClient,
  type AlertTopicClient,
  LocalAlertPublisher,
  SnsAlertPublisher,
} from '../shared/adapters/sns-alert-publisher.ts';
import type { AlertPort } from '../shared/domain/evaluation/ports.ts';
import { CliError, type Target } from './context.ts';

/**
 * Where `emc evaluate` sends the alerts it publishes, including those a scheduled run queued: the deployed
 * topic with `--aws` (as the scheduled Lambda does), or the local stack's alert log, as `npm start` does.
 * Never the operator's terminal: an alert drained there would never reach the ministry.
 */
export function evaluationAlerts(target: Target, s3: AlertArchiveClient, sns?: AlertTopicClient): AlertPort {
  if (target.kind === 'aws') {
    if (!target.alertTopicArn)
      throw new CliError(
        'The stack outputs name no AlertTopicArn; redeploy with --outputs-file so emc evaluate can reach SNS.',
      );
    return new SnsAlertPublisher(target.alertTopicArn, s3, target.bucket, sns);
  }
  const log = join(target.dataDir ?? '.emc', 'alerts.log');
  return new LocalAlertPublisher(s3, target.bucket, (alert) =>
    appendFileSync(
      log,
      `${JSON.stringify({ at: new Date(alert.createdAt).toISOString(), subject: alert.subject })}\n`,
    ),
  );
}
