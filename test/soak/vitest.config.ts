import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * The soak (`npm run soak`: 600 s on PostgreSQL; CI runs it for YIDI_SOAK_SECONDS=20 on both
 * databases). Apart from `npm test`: it needs the machine to itself to measure latency and the
 * event loop.
 */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/soak/**/*.soak.ts"],
    fileParallelism: false,
    testTimeout: 1_200_000,
    hookTimeout: 240_000,
    reporters: ["default"],
    // the same test data key as vitest.config.ts (a test key, never a deployment's)
    env: { YIDI_DATA_KEY: "test:k0Piq8ij2D5cS1qsIaKCZvuZ4ZTnNeGmGK5c9Go+zCs=" },
  },
});
