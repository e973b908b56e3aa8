import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The browser walk-throughs (`npm run test:browser`): Debian's Chromium driven by playwright-core
 * against the real server serving the built app. Slow, so apart from `npm test`'s run.
 */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    fileParallelism: false,
    // a browser and a server on a busy two-core machine: give each awaited state time
    expect: { poll: { timeout: 20_000, interval: 100 } },
    reporters: ["default"],
  },
});
