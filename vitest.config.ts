import { defineConfig } from "vitest/config";

// Tests spawn real servers and judge their heaps. Two lanes run side by side, each one file
// at a time: "verdicts" holds the files whose runs must pass a fixed server on its heap
// figures (they must not share the machine with each other), "rest" holds everything else
// (bad input, processes, reports, units), which waits on child processes more than it
// computes. Vitest runs every file of such projects in one sequential group, so `npm test`
// (scripts/test.mjs) runs one vitest per lane, side by side: two cores, two lanes.
const VERDICTS = [
  "test/gate/gate.test.ts",
  "test/gate/detect.test.ts",
  "test/heap/leak-modes.test.ts",
  "test/gate/soak.test.ts",
  "test/gate/cluster.test.ts",
  "test/gate/load.test.ts",
  "test/gate/baseline.test.ts",
  "test/probe/attach.test.ts",
  "test/report/runs.test.ts",
  "test/cluster/sticky.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: "forks",
    projects: [
      { extends: true, test: { name: "verdicts", include: VERDICTS, fileParallelism: false } },
      {
        extends: true,
        test: { name: "rest", include: ["test/**/*.test.ts"], exclude: VERDICTS, fileParallelism: false, globalSetup: ["test/support/global-setup.ts"] },
      },
    ],
  },
});
