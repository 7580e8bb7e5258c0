import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Asks once whether PostgreSQL answers at TEST_DATABASE_URL: its suites skip loudly where none does.
    globalSetup: ['tests/postgresAvailability.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/**/*.test.ts'], exclude: [...configDefaults.exclude, 'tests/e2e/**'] },
      },
      // The end-to-end tests run the server as production does, compiled: dist/ is built once per run.
      {
        extends: true,
        test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/e2e/buildDist.ts'] },
      },
    ],
  },
});
