import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger, metrics, metricsLogger } from '../../../shared/observability/index.ts';

afterEach(() => vi.restoreAllMocks());

describe('the metrics object speaks through the structured logger', () => {
  it('reports a flush with nothing to publish at debug level, not as a warning', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const debug = vi.spyOn(logger, 'debug').mockImplementation(() => undefined);

    metrics.publishStoredMetrics();

    expect(warn).not.toHaveBeenCalled();
    expect(debug).toHaveBeenCalledWith(expect.stringMatching(/^No application metrics to publish/));
  });

  it('keeps its other warnings as warnings', () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);

    metricsLogger.warn('Namespace should be defined, default used');

    expect(warn).toHaveBeenCalledWith('Namespace should be defined, default used');
  });
});
