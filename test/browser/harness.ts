import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SCREENSHOTS = join(ROOT, "docs/screenshots");
export const CHROMIUM = process.env.YIDI_CHROMIUM ?? "/usr/bin/chromium";
export const ADMIN = { username: "admin", password: "browser-admin-pass" };

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

export type RunningServer = { url: string; stop: () => Promise<void>; log: () => string };

/** `yidi serve` as a user starts it: the built app, a fresh PGlite folder, a known first admin. */
export async function startServer(): Promise<RunningServer> {
  if (!existsSync(join(ROOT, "editor/dist/index.html"))) {
    throw new Error("editor/dist is missing: run `npm run build:editor` first");
  }
  const dir = mkdtempSync(join(tmpdir(), "yidi-browser-"));
  const port = await freePort();
  let out = "";
  const { DATABASE_URL: _embeddedOnly, ...env } = process.env;
  const child: ChildProcess = spawn(process.execPath, ["bin/yidi.js", "serve"], {
    cwd: ROOT,
    env: {
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      YIDI_DATA_DIR: join(dir, "data"),
      YIDI_ADMIN_USER: ADMIN.username,
      YIDI_ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => {
    out += d;
  });
  child.stderr?.on("data", (d) => {
    out += d;
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode != null) throw new Error(`the server exited (${child.exitCode}):\n${out}`);
    if (Date.now() > deadline) throw new Error(`the server did not start in 120 s:\n${out}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    url,
    log: () => out,
    stop: async () => {
      if (child.exitCode == null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
        if (child.exitCode == null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless, with nothing that phones home. Never a downloaded browser. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A JSON call to the API with a bearer token. */
export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export async function token(base: string, username: string, password: string) {
  return (await api<{ token: string }>(base, "POST", "/api/login", undefined, { username, password })).token;
}

export async function screenshot(page: Page, name: string) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.evaluate("window.scrollTo(0, 0)");
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Logs in through the login page. */
export async function login(page: Page, base: string, username: string, password: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel(/用户名|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole("button", { name: /登\s*录|Log in/ }).click();
  await page.getByTestId("current-user").waitFor();
}
