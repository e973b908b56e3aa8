import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * The web editor: built into editor/dist and served by the fastify server at `/`. Every asset —
 * monaco's workers and the rule-set JSON Schema included — is in the bundle, so the app works on
 * an intranet with no internet. `npm run dev:editor` proxies /api to a server on :3000.
 */
export default defineConfig({
  root,
  base: "/",
  plugins: [react()],

  build: {
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 6000,
    reportCompressedSize: false,
  },
  worker: { format: "es" },
  server: { proxy: { "/api": "http://127.0.0.1:3000" } },
});
