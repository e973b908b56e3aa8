import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemas } from "../../engine/json-schema.ts";

describe("JSON Schema for the editor", () => {
  it("is generated from the zod schemas and committed up to date (npm run schema)", () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const file = join(import.meta.dirname, "..", "..", "docs", "schema", `${name}.schema.json`);
      expect(JSON.parse(readFileSync(file, "utf8")), name).toEqual(JSON.parse(JSON.stringify(schema)));
    }
  });

  it("describes the sections and the condition language officers edit", () => {
    const s = JSON.stringify(jsonSchemas()["rule-set"]);
    for (const word of [
      "materials",
      "validity",
      "emergencyCriteria",
      "levelAtLeast",
      "filing.emergency.criteriaMet",
    ]) {
      expect(s).toContain(word);
    }
  });
});
