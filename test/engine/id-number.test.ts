import fc from "fast-check";
import IDValidator from "id-validator";
import { describe, expect, it } from "vitest";
import { parseIdNumber } from "../../engine/index.ts";

// id-validator, which the engine used before, is the oracle: our own GB 11643 check must accept
// exactly the numbers it accepts (and then reject the dates no calendar has, as before).
const oracle = new IDValidator();
const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });

describe("GB 11643 ID numbers", () => {
  it("accepts exactly what id-validator accepts, for any 17 digits and check character", () => {
    fc.assert(
      fc.property(
        digits(6),
        fc.integer({ min: 1900, max: 2030 }),
        digits(4),
        digits(3),
        fc.constantFrom(..."0123456789X"),
        (region, year, mmdd, order, check) => {
          const id = `${region}${year}${mmdd}${order}${check}`;
          const ours = parseIdNumber(id);
          const theirs = oracle.isValid(id);
          if (theirs) expect(ours.ok || /not a real date/.test(ours.reason)).toBe(true);
          else expect(ours.ok).toBe(false);
          if (ours.ok) expect(theirs).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it("keeps nothing per number it has checked (no cache to grow)", () => {
    expect(parseIdNumber("11010519491231002X")).toMatchObject({ ok: true, info: { sex: "female" } });
    expect(parseIdNumber("110105194912310021")).toMatchObject({ ok: false });
  });
});
