import { defineConfig } from 'vitest/config';
import unit from './vitest.unit.config.ts';

/**
 * The tests the mutation run judges each mutant by: the domain's unit tests and the few other unit tests that
 * call a domain rule directly, with the unit layer's environment. The seeded alert simulation
 * (`no-flapping.test.ts`, about 20 s) is left out: every mutant it covers would pay for it, and the rules it
 * drives are pinned at their boundaries by the domain tests.
 */
export default defineConfig({
  test: {
    env: unit.test?.env ?? {},
    // The machine may be loaded; a slow property test must not fail the initial run.
    testTimeout: 60_000,
    include: [
      'test/unit/domain/**/*.test.ts',
      'test/unit/snapshot-contract.test.ts',
      'test/unit/legacy-senders-figures.test.ts',
      'test/unit/compliance-legacy.test.ts',
      'test/unit/lifecycle.test.ts',
      'test/unit/doctor.test.ts',
      'test/unit/connection-rules-doc.test.ts',
      'test/unit/ingest-legacy-emc.test.ts',
      'test/unit/config-change-counting.test.ts',
    ],
    exclude: ['test/unit/domain/evaluation/no-flapping.test.ts'],
  },
});
