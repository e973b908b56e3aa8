import { buildSlip, slipHtml } from "../../cli/slip.ts";
import type { Case, Decision } from "../../engine/index.ts";
import { PRINT_CSS } from "./layout.ts";

/**
 * The 附件6 settlement slip (120号) as the CLI prints it (`yidi settle --format html`), with the
 * documents' A4 page and fonts: one renderer for the CLI and the server.
 */
export function settlementSlipHtml(c: Case, d: Decision, fullId: boolean): string {
  return slipHtml([buildSlip(c, d, { fullId })]).replace(
    "</style>",
    `${PRINT_CSS}\n.slip{max-width:none;margin:0}\n</style>`,
  );
}
