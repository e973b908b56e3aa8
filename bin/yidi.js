#!/usr/bin/env node
// Runs the compiled CLI and server, dist/main.js, built by `npm install` (the `prepare` script)
// or `npm run build`: no TypeScript is transpiled at run time. When a source file is newer than
// the build (a developer's edit) — or there is no build — it runs the sources through tsx
// instead, as before, and says so in one line when a person is watching (stderr is a terminal).
// YIDI_FROM_SOURCE=1 always runs the sources.
import { ENTRY, isStale } from "../scripts/build.mjs";

if (process.env.YIDI_FROM_SOURCE === "1" || isStale()) {
  if (process.env.YIDI_FROM_SOURCE !== "1" && process.stderr.isTTY) {
    process.stderr.write(
      "yidi: the sources are newer than dist/ — running them through tsx (npm run build to rebuild)\n",
    );
  }
  const { register } = await import("tsx/esm/api");
  register();
  await import("../cli/main.ts");
} else {
  await import(ENTRY);
}
