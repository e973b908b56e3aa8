/**
 * Where a JSON text first breaks JSON's grammar, and why: `JSON.parse` says why but (in Node 20)
 * often not where. Undefined for valid JSON. Iterative, so deep nesting cannot overflow it.
 *
 * @example jsonSyntaxError('{"a": 1,}') // { offset: 8, message: 'unexpected "}": expected a key in quotes' }
 */
export function jsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  type Want = "value" | "valueOrEnd" | "key" | "keyOrEnd" | "colon" | "commaOrEnd" | "end";
  const stack: ("[" | "{")[] = [];
  let want: Want = "value";
  let i = 0;
  const fail = (message: string) => ({ offset: i, message });
  const what = () => (i >= text.length ? "end of text" : `\`${text[i]}\``);
  const afterValue = (): Want => (stack.length ? "commaOrEnd" : "end");
  const expected = (w: Want) =>
    ({
      value: "a value",
      valueOrEnd: "a value or ]",
      key: "a key in quotes",
      keyOrEnd: "a key in quotes or }",
      colon: ":",
      commaOrEnd: `, or ${stack.at(-1) === "{" ? "}" : "]"}`,
      end: "the end of the text",
    })[w];
  for (;;) {
    while (i < text.length && " \t\n\r".includes(text[i] ?? "")) i++;
    if (i >= text.length) {
      return want === "end" ? undefined : fail(`unexpected end of text: expected ${expected(want)}`);
    }
    const ch = text[i] ?? "";
    const unexpected = () => fail(`unexpected ${what()}: expected ${expected(want)}`);
    if (want === "end") return unexpected();
    if (want === "colon") {
      if (ch !== ":") return unexpected();
      i++;
      want = "value";
      continue;
    }
    if (want === "commaOrEnd") {
      if (ch === ",") {
        i++;
        want = stack.at(-1) === "{" ? "key" : "value";
      } else if ((ch === "]" && stack.at(-1) === "[") || (ch === "}" && stack.at(-1) === "{")) {
        i++;
        stack.pop();
        want = afterValue();
      } else return unexpected();
      continue;
    }
    if ((want === "valueOrEnd" && ch === "]") || (want === "keyOrEnd" && ch === "}")) {
      i++;
      stack.pop();
      want = afterValue();
      continue;
    }
    if (want === "key" || want === "keyOrEnd") {
      if (ch !== '"') return unexpected();
      const end = stringEnd(text, i);
      if (typeof end !== "number") return { offset: end.offset, message: end.message };
      i = end;
      want = "colon";
      continue;
    }
    // a value
    if (ch === "[" || ch === "{") {
      stack.push(ch);
      i++;
      want = ch === "[" ? "valueOrEnd" : "keyOrEnd";
      continue;
    }
    if (ch === '"') {
      const end = stringEnd(text, i);
      if (typeof end !== "number") return { offset: end.offset, message: end.message };
      i = end;
    } else {
      const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
      m.lastIndex = i;
      const token = m.exec(text);
      if (!token) return unexpected();
      i += token[0].length;
    }
    want = afterValue();
  }
}

/** The offset just after the string starting at `start`, or why it is not a JSON string. */
function stringEnd(text: string, start: number): number | { offset: number; message: string } {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return { offset: i, message: "a line break or control character inside a string" };
    if (c === 0x5c) {
      const e = text[i + 1] ?? "";
      if (e === "u") {
        if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          return { offset: i, message: "a \\u escape needs 4 hex digits" };
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e) || e === "") return { offset: i, message: `unknown escape \\${e}` };
      i += 2;
      continue;
    }
    i++;
  }
  return { offset: start, message: "a string is not closed" };
}
