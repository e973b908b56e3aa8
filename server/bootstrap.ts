import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { formatProblem } from "../engine/index.ts";
import { DEFAULT_RULES_DIR, readRuleFiles } from "../simulator/rule-files.ts";
import type { Store } from "./store/index.ts";

export type BootstrapReport = {
  migrations: string[];
  imported: number;
  admin?: { username: string; generatedPassword?: string };
};

/**
 * Brings a store to a working state: migrations; at first start the rule sets of `rules/` are
 * imported as published versions (one transaction); the first admin comes from
 * YIDI_ADMIN_USER / YIDI_ADMIN_PASSWORD, or gets a generated password returned once.
 */
export async function bootstrap(
  store: Store,
  opts: {
    rulesDir?: string | undefined;
    adminUser?: string | undefined;
    adminPassword?: string | undefined;
  } = {},
): Promise<BootstrapReport> {
  const migrations = await store.migrate();
  const report: BootstrapReport = { migrations, imported: 0 };
  if ((await store.ruleSets.count()) === 0) {
    const dir = opts.rulesDir ?? DEFAULT_RULES_DIR;
    const { ruleSets, problems, files } = readRuleFiles([dir]);
    if (problems.length) {
      throw new Error(`the rule sets in ${dir} have errors:\n${problems.map(formatProblem).join("\n")}`);
    }
    const texts = new Map(files.map((f) => [f, readFileSync(f, "utf8")]));
    await store.transaction(async (tx) => {
      for (const rs of ruleSets) {
        const file = files.find((f) => f.endsWith(`${rs.id}/${rs.version}.yaml`));
        const content = (file && texts.get(file)) ?? "";
        const v = await tx.ruleSets.importPublished(rs, content, "system");
        await tx.audit.record({
          actor: "system",
          action: "ruleset.import",
          entity: "rule_set_version",
          entityId: v.id,
          detail: { id: rs.id, version: rs.version, hash: rs.hash },
        });
      }
    });
    report.imported = ruleSets.length;
  }
  if ((await store.users.count()) === 0) {
    const username = opts.adminUser ?? "admin";
    const generated = opts.adminPassword ? undefined : randomBytes(12).toString("base64url");
    await store.transaction(async (tx) => {
      const u = await tx.users.create({
        username,
        password: opts.adminPassword ?? (generated as string),
        roles: ["admin"],
      });
      await tx.audit.record({
        actor: "system",
        action: "user.create",
        entity: "user",
        entityId: u.id,
        detail: { username, roles: ["admin"] },
      });
    });
    report.admin = { username, ...(generated && { generatedPassword: generated }) };
  }
  return report;
}
