import { Decimal } from "decimal.js";
import type { z } from "zod";
import { parseIdNumber } from "../id-number.ts";
import { isRealDate } from "./common.ts";

/**
 * The checks across a case's fields (ID number against sex and birth date, dates in order,
 * self-pay within the total, what each kind of request needs). They run even when the schema
 * found problems elsewhere, so one round of validation reports everything: the value may be
 * only partly valid, and each check reads just the fields it needs and skips itself when one
 * of them is malformed (the schema reports that field already).
 *
 * @example caseSchema.safeParse({ …, applicant: { idNumber: "510402195001011234" }, insured: { scheme: "x" } })
 *   // → both the unknown scheme and the wrong check digit
 */
export function checkCase(value: unknown, ctx: z.RefinementCtx): void {
  const c = map(value);
  if (!c) return;
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const asOf = date(c.asOf);
  const kind = c.kind === undefined ? "filing" : str(c.kind);
  const applicant = map(c.applicant);
  const filing = map(c.filing);
  const previous = map(c.previous);
  const settlement = map(c.settlement);

  const idNumber = str(applicant?.idNumber);
  if (idNumber !== undefined) {
    const id = parseIdNumber(idNumber);
    if (!id.ok) issue(["applicant", "idNumber"], id.reason);
    else {
      const sex = applicant?.sex;
      if ((sex === "male" || sex === "female") && sex !== id.info.sex) {
        issue(["applicant", "sex"], `sex ${sex} disagrees with the ID number, which encodes ${id.info.sex}`);
      }
      const birthDate = date(applicant?.birthDate);
      if (birthDate && birthDate !== id.info.birthDate) {
        issue(
          ["applicant", "birthDate"],
          `birth date ${birthDate} disagrees with the ID number, which encodes ${id.info.birthDate}`,
        );
      }
      if (asOf && id.info.birthDate > asOf)
        issue(["applicant", "idNumber"], "born after the application date");
    }
  }

  if ((kind === "change" || kind === "revoke" || kind === "extend") && c.previous === undefined) {
    issue(["previous"], `a ${kind} request needs the filing it acts on`);
  }
  const noCategory = c.filing === undefined || (filing !== undefined && filing.category === undefined);
  if ((kind === "filing" || kind === "change") && noCategory) {
    issue(["filing", "category"], `a ${kind} request needs a category`);
  }
  if (kind === "settlement" && c.settlement === undefined) {
    issue(["settlement"], "a settlement request needs the bill");
  }

  const approvedOn = date(previous?.approvedOn);
  const validUntil = date(previous?.validUntil);
  if (approvedOn && validUntil && validUntil < approvedOn) {
    issue(["previous", "validUntil"], "valid until a day before approval");
  }
  if (approvedOn && asOf && approvedOn > asOf) {
    issue(["previous", "approvedOn"], "approved after the application date");
  }

  if (settlement) {
    const admission = date(settlement.admission);
    const discharge = date(settlement.discharge);
    if (admission && discharge && discharge < admission) {
      issue(["settlement", "discharge"], `discharge ${discharge} is before admission ${admission}`);
    }
    const total = amount(settlement.totalCost);
    const selfPay = settlement.selfPayCost === undefined ? new Decimal(0) : amount(settlement.selfPayCost);
    const partial =
      settlement.partialSelfPayCost === undefined ? new Decimal(0) : amount(settlement.partialSelfPayCost);
    if (total && selfPay && partial && selfPay.plus(partial).gt(total)) {
      issue(
        ["settlement", "selfPayCost"],
        `self-pay (${selfPay.toFixed(2)}) and partial self-pay (${partial.toFixed(2)}) add up to more than the total cost (${total.toFixed(2)})`,
      );
    }
  }
}

const map = (v: unknown) =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const date = (v: unknown) => (typeof v === "string" && isRealDate(v) ? v : undefined);
const amount = (v: unknown) =>
  typeof v === "string" && /^\d+(\.\d{1,2})?$/.test(v) ? new Decimal(v) : undefined;
