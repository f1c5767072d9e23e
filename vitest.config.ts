// Test runner settings: real ffmpeg and servers on loopback make some tests slow, so time limits are generous.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/*.case.test.ts", "node_modules/**", "dist/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Most tests wait on ffmpeg or a fake server rather than the CPU: three files at a time keeps
    // both cores busy (one at a time took over 8 minutes here).
    maxWorkers: 3,
  },
});
