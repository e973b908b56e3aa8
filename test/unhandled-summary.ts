import type { SerializedError } from "vitest";
import type { Reporter } from "vitest/reporters";

/**
 * Repeats each unhandled error in one short paragraph after the run's summary. Vitest prints
 * them above the summary with the whole serialized error (a pg client runs to thousands of
 * characters), which pushes the message out of a CI log's tail.
 */
export default class UnhandledSummary implements Reporter {
  onTestRunEnd(_modules: unknown, errors: ReadonlyArray<SerializedError>): void {
    if (errors.length === 0) return;
    const lines = [`\n${errors.length} unhandled error(s), in short:`];
    for (const e of errors) {
      const code = (e as { code?: unknown }).code;
      lines.push(`- ${e.name ?? "Error"}${code ? ` [${String(code)}]` : ""}: ${e.message}`);
      for (const frame of (e.stack ?? "").split("\n").slice(1, 5)) lines.push(`    ${frame.trim()}`);
    }
    process.stderr.write(`${lines.join("\n")}\n`);
  }
}
