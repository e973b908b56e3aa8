import type { Kysely } from "kysely";
import { defaultKeys, type Keyring } from "../data-keys.ts";
import { maskDeep } from "../mask.ts";
import { auditPersonal, openDoc, sealDoc } from "./personal-data.ts";
import type { Database } from "./schema.ts";

export type AuditEntry = {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  detail: Record<string, unknown>;
};

/**
 * The audit log: every change, who made it and when. Details are stored with ID numbers masked,
 * and a reviewer's written reason (which may name the applicant) encrypted, as in the review queue.
 */
export class AuditStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: Keyring = defaultKeys(),
  ) {}

  async record(e: {
    actor: string;
    action: string;
    entity: string;
    entityId?: string | number | null;
    detail?: object;
  }) {
    await this.db
      .insertInto("audit_log")
      .values({
        actor: e.actor,
        action: e.action,
        entity: e.entity,
        entity_id: e.entityId == null ? null : String(e.entityId),
        detail: JSON.stringify(sealDoc(this.keys, maskDeep(e.detail ?? {}), auditPersonal(e.action))),
      })
      .execute();
  }

  /**
   * Every distinct (actor, action) of an entity's whole history among `actions` — one row per
   * hand, however many entries there are (four eyes reads this, never a page of entries).
   */
  async hands(
    entity: string,
    entityId: string,
    actions: readonly string[],
  ): Promise<{ actor: string; action: string }[]> {
    if (!actions.length) return [];
    return this.db
      .selectFrom("audit_log")
      .select(["actor", "action"])
      .distinct()
      .where("entity", "=", entity)
      .where("entity_id", "=", entityId)
      .where("action", "in", [...actions])
      .execute();
  }

  async list(
    f: {
      entity?: string | undefined;
      entityId?: string | undefined;
      actor?: string | undefined;
      limit?: number | undefined;
      offset?: number | undefined;
    } = {},
  ): Promise<AuditEntry[]> {
    let q = this.db.selectFrom("audit_log").selectAll();
    if (f.entity) q = q.where("entity", "=", f.entity);
    if (f.entityId) q = q.where("entity_id", "=", f.entityId);
    if (f.actor) q = q.where("actor", "=", f.actor);
    const rows = await q
      .orderBy("id", "desc")
      .limit(f.limit ?? 100)
      .offset(f.offset ?? 0)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      entity: r.entity,
      entityId: r.entity_id,
      detail: openDoc(this.keys, r.detail as Record<string, unknown>),
    }));
  }
}
