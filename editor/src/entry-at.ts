import { isAlias, isMap, isScalar, parseDocument } from "yaml";

export type EntryAt = {
  section: string;
  key: string;
  citation: { document?: string; clause?: string; note?: string } | null;
};

/** The sections of a rule set whose entries each cite a clause (the engine's SECTIONS). */
export const CITED_SECTIONS: ReadonlySet<string> = new Set([
  "categories",
  "rules",
  "materials",
  "validity",
  "settlement",
  "processing",
  "formFields",
  "emergencyCriteria",
  "advice",
  "benefits",
  "benefitAdjustments",
]);

/**
 * The section entry (a rule, a material, a validity …) that holds a position of a rule-set's
 * YAML text, with its citation, so the editor can show the clause the entry encodes.
 *
 * @example entryAt("rules:\n  a:\n    citation: { document: X, clause: 一 }\n", 12) // { section: "rules", key: "a", … }
 */
export function entryAt(text: string, offset: number): EntryAt | null {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (!isMap(doc.contents)) return null;
  for (const section of doc.contents.items) {
    if (!isScalar(section.key) || !CITED_SECTIONS.has(String(section.key.value))) continue;
    if (!isMap(section.value)) continue;
    const [start, , end] = section.value.range ?? [0, 0, 0];
    if (offset < (section.key.range?.[0] ?? start) || offset > end) continue;
    for (const item of section.value.items) {
      if (!isScalar(item.key)) continue;
      const from = item.key.range?.[0] ?? 0;
      const to =
        (item.value as { range?: [number, number, number] } | null)?.range?.[2] ?? item.key.range?.[2] ?? 0;
      if (offset < from || offset > to) continue;
      const value = isAlias(item.value) ? item.value.resolve(doc) : item.value;
      const raw = isMap(value) ? value.get("citation", false) : undefined;
      const citation =
        raw && typeof raw === "object" && "toJSON" in raw ? (raw as { toJSON(): unknown }).toJSON() : null;
      return {
        section: String(section.key.value),
        key: String(item.key.value),
        citation: citation && typeof citation === "object" ? (citation as EntryAt["citation"]) : null,
      };
    }
  }
  return null;
}

/**
 * The hover text (markdown) for the entry under the pointer: where it sits and the clause it
 * encodes, with the citation's note; `labels` are in the officer's language.
 */
export function citationHover(
  entry: EntryAt,
  labels: { citation: string; noCitation: string; note: string },
): string {
  const head = `**${entry.section} › \`${entry.key}\`**`;
  const c = entry.citation;
  if (!c || (!c.document && !c.clause)) return `${head}\n\n${labels.noCitation}`;
  const cite = `${labels.citation}: 〔${[c.document, c.clause].filter(Boolean).join(" ")}〕`;
  return [head, cite, ...(c.note ? [`${labels.note}: ${c.note}`] : [])].join("\n\n");
}
