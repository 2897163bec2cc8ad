import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/services/global-setup.ts'],
    // Integration tests share two real Kafka clusters; running files one at a time keeps them honest on 2 cores.
    fileParallelism: false,
    // Generous: a test's own waits have deadlines that name what they awaited; these only catch a hang, and a
    // fully loaded 2-core machine (the CI runs beside other jobs) makes a 30 s test take two or three times that.
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
