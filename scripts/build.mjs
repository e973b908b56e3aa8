// Builds the CLI and the server to dist/ (`npm run build`, run by `npm install` through
// `prepare`): esbuild bundles our TypeScript (cli/main.ts and what it imports; the server is a
// chunk of its own, loaded by `yidi serve` only), leaving node_modules to be imported at run time.
// Paths a module finds from `import.meta.url` (rules/, simulator/cases, editor/dist) are kept:
// each module's `import.meta.url` is rewritten to its source file's URL, relative to dist/.
// bin/yidi.js runs dist/main.js, rebuilding first when a source file is newer (see isStale).
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const DIST = join(ROOT, "dist");
export const ENTRY = join(DIST, "main.js");
const SOURCES = ["cli", "engine", "server", "simulator"];
/** Packages left to Node at run time: native code, WebAssembly, files read beside their code. */
const EXTERNAL = [
  "@electric-sql/pglite",
  "@electric-sql/pglite/*",
  "kysely-pglite-dialect",
  "@node-rs/argon2",
  "pg",
  "pg-native",
  "@fastify/swagger-ui",
  "@fastify/static",
  "exceljs",

  "@resvg/resvg-js",
  "esbuild",
  "tsx",
  "tsx/*",
];

/** The newest modification time (ms) of the TypeScript sources the build reads. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mjs|js|json)$/.test(e.name)) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of SOURCES) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return newest;
}

/** dist/ is missing, or older than a source file. */
export function isStale() {
  try {
    return statSync(ENTRY).mtimeMs < newestSource();
  } catch {
    return true;
  }
}

/** Builds dist/ into a fresh folder and swaps it in (a process running the old one is unharmed). */
export async function build() {
  const esbuild = await import("esbuild");
  const out = `${DIST}.${process.pid}.tmp`;
  rmSync(out, { recursive: true, force: true });
  const keepMetaUrl = {
    name: "keep-import-meta-url",
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, "utf8");
        if (!text.includes("import.meta.url")) return undefined;
        const rel = relative(DIST, args.path).split("\\").join("/");
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        return { contents: text.replaceAll("import.meta.url", url), loader: "ts" };
      });
    },
  };
  // A package's JSON file (chinese-days' calendar) goes into the bundle: Node would want the import
  // attribute that an external import loses.
  const require = createRequire(join(ROOT, "package.json"));
  const packageJson = {
    name: "bundle-package-json",
    setup(b) {
      b.onResolve({ filter: /^[^./].*\.json$/ }, (args) => ({ path: require.resolve(args.path) }));
    },
  };
  await esbuild.build({
    // The simulation worker is an entry of its own (simulator/run.ts starts dist/simulate-worker.js).
    entryPoints: {
      main: join(ROOT, "cli/main.ts"),
      "simulate-worker": join(ROOT, "simulator/worker-main.ts"),
    },
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Packages are bundled too (ESM resolution of date-fns' hundreds of files cost more than the
    // decision); those with native code, WebAssembly or files of their own stay outside.
    external: EXTERNAL,
    sourcemap: "linked",
    logLevel: "warning",
    plugins: [packageJson, keepMetaUrl],
    // Keys the rule-set cache (simulator/rule-cache.ts): a new build reads the rules afresh.
    define: { __YIDI_BUILD__: JSON.stringify(`${Date.now().toString(36)}-${process.pid}`) },
    banner: {
      js: [
        "// Built by scripts/build.mjs from cli/, engine/, server/, simulator/: do not edit.",
        'import { createRequire as __yidiRequire } from "node:module";',
        "const require = __yidiRequire(import.meta.url);",
      ].join("\n"),
    },
  });
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  mkdirSync(DIST, { recursive: true });
  const old = `${DIST}.${process.pid}.old`;
  try {
    renameSync(DIST, old);
  } catch {}
  renameSync(out, DIST);
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t = performance.now();
  await build();
  console.log(`built dist/ in ${Math.round(performance.now() - t)} ms`);
}
