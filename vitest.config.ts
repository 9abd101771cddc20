import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Tests wait for real servers, and browser tests check every saved screen at two widths with
    // axe-core: generous limits keep slow machines from failing them.
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
