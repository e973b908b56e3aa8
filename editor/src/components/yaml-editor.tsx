import { useEffect, useImperativeHandle, useRef } from "react";
import type { Problem } from "../api/types.ts";
import { monaco } from "../monaco/setup.ts";

export type YamlEditorHandle = {
  reveal: (line: number, column: number) => void;
  format: () => void;
  getValue: () => string;
  setValue: (text: string) => void;
};

type Props = {
  /** the model's path; `rules/<id>/<version>.yaml` matches the rule-set JSON Schema */
  path: string;
  initialValue: string;
  readOnly: boolean;
  /** the server's problems, shown as markers (line and column 1-based) */
  problems: Problem[];
  onChange: (text: string) => void;
  onSave: (text: string) => void;
  /** the cursor's offset in the text, after each move */
  onCursor?: (text: string, offset: number) => void;
  /** document names offered after `document:` (the chain's sources) */
  documents: string[];
  /** markdown shown on hover at an offset (the citation of the entry there), beside the schema's */
  hover?: (text: string, offset: number) => string | null;
  ref?: React.Ref<YamlEditorHandle>;
};

/** Monaco with the rule-set schema; Ctrl/Cmd+S saves, Shift+Alt+F formats. */
export function YamlEditor({
  path,
  initialValue,
  readOnly,
  problems,
  onChange,
  onSave,
  onCursor,
  documents,
  hover,
  ref,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const callbacks = useRef({ onChange, onSave, onCursor, documents, hover });
  callbacks.current = { onChange, onSave, onCursor, documents, hover };
  /** the text the editor starts with; later values go through the handle */
  const initial = useRef(initialValue);

  useEffect(() => {
    if (!host.current) return;
    const uri = monaco.Uri.parse(`file:///${path}`);
    monaco.editor.getModel(uri)?.dispose();
    const model = monaco.editor.createModel(initial.current, "yaml", uri);
    const editor = monaco.editor.create(host.current, {
      model,
      automaticLayout: true,
      minimap: { enabled: false },
      fontSize: 13,
      tabSize: 2,
      insertSpaces: true,
      scrollBeyondLastLine: false,
      wordWrap: "on",
      // Chinese punctuation (〔〕，；) is the law's own text, not a look-alike to warn about
      unicodeHighlight: { ambiguousCharacters: false },
      quickSuggestions: { other: true, comments: false, strings: true },
    });
    editorRef.current = editor;
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () =>
      callbacks.current.onSave(editor.getValue()),
    );
    const sub = model.onDidChangeContent(() => callbacks.current.onChange(model.getValue()));
    const cursor = editor.onDidChangeCursorPosition((e) =>
      callbacks.current.onCursor?.(model.getValue(), model.getOffsetAt(e.position)),
    );
    const completion = monaco.languages.registerCompletionItemProvider("yaml", {
      triggerCharacters: [" ", ":"],
      provideCompletionItems(m, position) {
        if (m.uri.toString() !== uri.toString()) return { suggestions: [] };
        const before = m.getLineContent(position.lineNumber).slice(0, position.column - 1);
        if (!/document:\s*\S*$/.test(before)) return { suggestions: [] };
        const word = m.getWordUntilPosition(position);
        const range = new monaco.Range(
          position.lineNumber,
          word.startColumn,
          position.lineNumber,
          position.column,
        );
        const inText = [...m.getValue().matchAll(/document:\s*([^\s,}#]+)/g)].map((x) => x[1] ?? "");
        const names = [...new Set([...callbacks.current.documents, ...inText])].filter(Boolean);
        return {
          suggestions: names.map((name) => ({
            label: name,
            kind: monaco.languages.CompletionItemKind.Reference,
            insertText: name,
            detail: "source document",
            range,
          })),
        };
      },
    });
    // monaco merges every provider's hover: monaco-yaml's field description and this citation
    const hovers = monaco.languages.registerHoverProvider("yaml", {
      provideHover(m, position) {
        if (m.uri.toString() !== uri.toString()) return null;
        const value = callbacks.current.hover?.(m.getValue(), m.getOffsetAt(position));
        if (!value) return null;
        const line = position.lineNumber;
        return {
          range: new monaco.Range(line, 1, line, m.getLineMaxColumn(line)),
          contents: [{ value }],
        };
      },
    });
    return () => {
      hovers.dispose();
      completion.dispose();
      cursor.dispose();
      sub.dispose();
      editor.dispose();
      model.dispose();
      editorRef.current = null;
    };
  }, [path]);

  useEffect(() => {
    editorRef.current?.updateOptions({ readOnly });
  }, [readOnly]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      "yidi",
      problems.map((p) => {
        const line = Math.min(Math.max(p.line ?? 1, 1), model.getLineCount());
        const column = Math.max(p.column ?? 1, 1);
        const word = model.getWordAtPosition({ lineNumber: line, column });
        return {
          severity: monaco.MarkerSeverity.Error,
          message: `${p.message}${p.path.length ? ` (${p.path.join(".")})` : ""}`,
          source: p.code,
          startLineNumber: line,
          startColumn: column,
          endLineNumber: line,
          endColumn: word && word.endColumn > column ? word.endColumn : model.getLineMaxColumn(line),
        };
      }),
    );
  }, [problems]);

  useImperativeHandle(ref, () => ({
    reveal(line, column) {
      const editor = editorRef.current;
      if (!editor) return;
      editor.revealLineInCenter(line);
      editor.setPosition({ lineNumber: line, column });
      editor.focus();
    },
    format() {
      void editorRef.current?.getAction("editor.action.formatDocument")?.run();
    },
    getValue: () => editorRef.current?.getValue() ?? "",
    setValue(text) {
      editorRef.current?.getModel()?.setValue(text);
    },
  }));

  return <div ref={host} className="yidi-editor" data-testid="yaml-editor" />;
}
