import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/unhandled-summary.ts"],
    // the browser walk-throughs run apart: `npm run test:browser`
    exclude: [...configDefaults.exclude, "test/browser/**", "editor/dist/**"],
    // One data key for every test process and the servers and CLIs they start (a test of the key
    // handling sets its own); a test key, never a deployment's.
    env: { YIDI_DATA_KEY: "test:k0Piq8ij2D5cS1qsIaKCZvuZ4ZTnNeGmGK5c9Go+zCs=" },
  },
});
