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
    reporters: ["default"],
  },
});
