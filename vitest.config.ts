import { defineConfig } from 'vitest/config';

/**
 * Tests in tiers (`npm run test:unit`, `test:db`, `test:cli`, `test:reliability`);
 * `npm test` runs them all. A file's tier is where it lives or how it is named:
 * test/unit/ needs no database; *-cli.test.ts and test/cli/ run the built binary
 * (built first when stale); test/reliability/ are the crash and kill tests.
 */
const CLI = ['test/cli/**/*.test.ts', 'test/**/*-cli.test.ts', 'test/cli.test.ts', 'test/startup.test.ts', 'test/verify-migrations.test.ts', 'test/schema-diagram.test.ts'];
const UNIT = ['test/unit/**/*.test.ts'];
const RELIABILITY = ['test/reliability/**/*.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default'],
    pool: 'forks',
    // PGlite is CPU-bound WebAssembly and these machines have two cores.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT, testTimeout: 10_000 } },
      { extends: true, test: { name: 'db', include: ['test/**/*.test.ts'], exclude: [...CLI, ...UNIT, ...RELIABILITY], globalSetup: ['test/global-setup.ts'] } },
      { extends: true, test: { name: 'cli', include: CLI, globalSetup: ['test/cli-setup.ts', 'test/global-setup.ts'] } },
      { extends: true, test: { name: 'reliability', include: RELIABILITY, globalSetup: ['test/cli-setup.ts', 'test/global-setup.ts'] } },
    ],
  },
});
