import { defineConfig } from 'vitest/config';

/**
 * The unit layer alone (no network, no servers), for the mutation run: each mutant of the domain is judged by
 * the tests that would catch a wrong rule, in seconds rather than minutes.
 */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    env: {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'ap-southeast-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
  },
});
