import { defineConfig } from "vitest/config";

// Tests spawn real servers and measure heaps: run files one at a time so they
// do not compete for the machine's two cores and skew each other's numbers.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
