import { defineConfig } from 'vitest/config';

// test/swarm needs the Swarm of scripts/swarm up: scripts/test-swarm runs it, not `npm test`
export default defineConfig({
  test: {
    include: ['test/swarm/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
