import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/services/global-setup.ts'],
    // Integration tests share two real Kafka clusters; running files one at a time keeps them honest on 2 cores.
    fileParallelism: false,
    // Generous: a test's own waits have deadlines that name what they awaited; these only catch a hang. A fully
    // loaded 2-core machine (CI runs beside other jobs) made 20 s tests take well over a minute.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
