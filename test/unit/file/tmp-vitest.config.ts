import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['test/unit/file/**/*.test.ts'], testTimeout: 60_000 } });
