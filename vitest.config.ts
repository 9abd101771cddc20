import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Tests wait for real servers; generous limits keep slow machines from failing them.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
