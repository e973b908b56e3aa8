// Writes the JSON Schema of rule-set and case files (for the editor and for YAML language servers)
// from the zod schemas, so the two can never disagree. `npm run schema`; a test checks it is current.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonSchemas } from "../engine/json-schema.ts";

const out = join(import.meta.dirname, "..", "docs", "schema");
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(join(out, `${name}.schema.json`), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`docs/schema/${name}.schema.json`);
}
