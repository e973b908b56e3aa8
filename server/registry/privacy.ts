import { maskDeep } from "../mask.ts";
import type { Role } from "../store/schema.ts";
import type { User } from "../store/users.ts";

/**
 * Who sees whose personal data (478号 六(二)): the roles that handle applicants' files — clerks
 * and admins — see full names, full ID numbers and contact data; every other role sees names
 * shortened (张三 → 张*) and ID numbers masked, in the registry and in the decision log alike.
 */
export const FILE_HANDLERS: readonly Role[] = ["clerk", "admin"];

export const handlesFiles = (user: User | null) =>
  !!user && user.roles.some((r) => FILE_HANDLERS.includes(r));

/** 张三 → 张*: a name as roles that do not handle files see it. */
export const maskName = (name: string | null | undefined): string | null =>
  name ? `${Array.from(name)[0]}${"*".repeat(Array.from(name).length - 1)}` : (name ?? null);

/** A logged case as a role sees it: ID numbers masked everywhere, the applicant's name shortened. */
export function caseAsSeen(input: Record<string, unknown>, full: boolean): Record<string, unknown> {
  if (full) return input;
  const masked = maskDeep(input);
  const applicant = masked.applicant as { name?: string } | undefined;
  if (applicant && typeof applicant === "object" && typeof applicant.name === "string") {
    return { ...masked, applicant: { ...applicant, name: maskName(applicant.name) } };
  }
  return masked;
}
