import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { API_DIR, apiFiles } from "../../scripts/gen-api-types.ts";

describe("the web editor's typed API client", () => {
  it("is generated from the server's OpenAPI document and committed up to date (npm run api:types)", async () => {
    const files = await apiFiles();
    expect(files["schema.d.ts"]).toContain('"/api/rule-sets/versions/{id}/try"');
    for (const [name, text] of Object.entries(files)) {
      let committed = "";
      try {
        committed = readFileSync(join(API_DIR, name), "utf8");
      } catch {
        // missing: stale
      }
      expect(committed === text, `editor/src/api/${name} is stale: run npm run api:types`).toBe(true);
    }
  }, 60_000);
});
