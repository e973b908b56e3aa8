import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    reporters: ["default", "./test/unhandled-summary.ts"],
    // the browser walk-throughs run apart: `npm run test:browser`
    exclude: [...configDefaults.exclude, "test/browser/**", "editor/dist/**"],
  },
});
