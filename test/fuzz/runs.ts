/**
 * How many runs each fuzz property makes: modest in `npm test`, more with YIDI_FUZZ_RUNS
 * (e.g. `YIDI_FUZZ_RUNS=20000 npx vitest run test/fuzz`). A failure prints fast-check's seed and
 * path; replay it with `fc.assert(…, { seed, path })`.
 */
export function fuzzRuns(defaultRuns: number): number {
  const n = Number(process.env.YIDI_FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : defaultRuns;
}
