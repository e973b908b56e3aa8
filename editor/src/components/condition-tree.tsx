import type { ConditionTrace, TriState } from "../api/types.ts";
import { useLang } from "../i18n.tsx";

const show = (v: unknown) => (v === undefined ? "—" : JSON.stringify(v));
const cls = (r: TriState) => `yidi-cond yidi-cond-${String(r)}`;
const mark = (r: TriState) => (r === true ? "✓" : r === false ? "✗" : "?");

const isTrace = (c: unknown): c is ConditionTrace => typeof c === "object" && c !== null && "result" in c;

/**
 * A condition tree as evaluated: each node green (held), red (failed) or grey (unknown: the case
 * does not give the fact), each leaf with the fact value that decided it.
 */
export function ConditionTree({ node }: { node: unknown }) {
  const { t } = useLang();
  if (!isTrace(node)) return node === undefined ? null : <pre className="yidi-value">{show(node)}</pre>;
  const r = node.result;
  if ("all" in node || "any" in node) {
    const kids = "all" in node ? node.all : node.any;
    return (
      <div className={cls(r)} data-result={String(r)}>
        {mark(r)} {"all" in node ? "all" : "any"}
        <div style={{ paddingLeft: 16 }}>
          {kids.map((k, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed tree, never reordered
            <ConditionTree key={i} node={k} />
          ))}
        </div>
      </div>
    );
  }
  if ("not" in node) {
    return (
      <div className={cls(r)} data-result={String(r)}>
        {mark(r)} not
        <div style={{ paddingLeft: 16 }}>
          <ConditionTree node={node.not} />
        </div>
      </div>
    );
  }
  const ref = node.value !== null && typeof node.value === "object" && "fact" in (node.value as object);
  return (
    <div className={cls(r)} data-result={String(r)} data-fact={node.fact}>
      {mark(r)} {node.fact} {node.operator} {show(node.value)}
      <span style={{ opacity: 0.8 }}>
        {" "}
        — {node.fact} = {node.factResult === undefined ? t("unknown") : show(node.factResult)}
        {ref ? `, ${show(node.valueResult)}` : ""}
      </span>
    </div>
  );
}
