// Writes the server's OpenAPI document and its TypeScript types for the web editor's typed
// client (openapi-fetch), so browser and server cannot drift. `npm run api:types`; a test
// (test/server/api-types.test.ts) fails when the committed files are stale.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { type OpenAPI3 } from "openapi-typescript";
import { build } from "../server/app.ts";
import { openDatabase } from "../server/store/database.ts";
import { createStore } from "../server/store/index.ts";

export const API_DIR = join(import.meta.dirname, "..", "editor", "src", "api");

/** The OpenAPI document of the app (built on an empty in-memory database). */
export async function openApiDocument(): Promise<OpenAPI3> {
  const store = createStore(openDatabase({ kind: "pglite", dataDir: null }));
  try {
    await store.migrate();
    const app = await build({ store, editorDir: join(API_DIR, "no-editor") });
    await app.ready();
    const doc = app.swagger() as unknown as OpenAPI3;
    await app.close();
    return doc;
  } finally {
    await store.close();
  }
}

/** The two generated files: openapi.json and schema.d.ts, by name. */
export async function apiFiles(): Promise<Record<string, string>> {
  const doc = await openApiDocument();
  return {
    "openapi.json": `${JSON.stringify(doc, null, 2)}\n`,
    "schema.d.ts": await openapiTS(doc),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, text] of Object.entries(await apiFiles())) {
    writeFileSync(join(API_DIR, name), text);
    console.log(`editor/src/api/${name}`);
  }
}
