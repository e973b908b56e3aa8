import { describe, expect, it } from "vitest";
import { crossProvince, regionPrefix, regionWithin } from "../../engine/index.ts";

describe("region codes: one prefix helper, one cross-province helper", () => {
  it.each([
    ["000000", ""],
    ["510000", "51"],
    ["510400", "5104"],
    ["510410", "510410"],
    ["510411", "510411"],
    ["110000", "11"],
  ])("the prefix of %s is %j (a county ending in 0 is not cut short)", (code, prefix) => {
    expect(regionPrefix(code)).toBe(prefix);
  });

  it("places a county inside its city, province and the nation, not a neighbour", () => {
    expect(regionWithin("510411", "510400")).toBe(true);
    expect(regionWithin("510411", "000000")).toBe(true);
    expect(regionWithin("510421", "510420")).toBe(false);
    expect(regionWithin("510104", "510400")).toBe(false);
  });

  it("calls a journey cross-province when the first two digits differ", () => {
    expect(crossProvince("510402", "460200")).toBe(true);
    expect(crossProvince("510402", "510107")).toBe(false);
    expect(crossProvince("110105", "120101")).toBe(true);
  });
});
