// The editor core and its standalone features, YAML highlighting only (not monaco's forty other
// languages and their workers). monaco-editor stays on 0.52: from 0.53 on, createWebWorker
// needs a worker that monaco-yaml 5 (through monaco-worker-manager) does not pass.
import "monaco-editor/esm/vs/editor/edcore.main.js";
import * as monaco from "monaco-editor/esm/vs/editor/editor.api.js";
import "monaco-editor/esm/vs/basic-languages/yaml/yaml.contribution.js";
import EditorWorker from "monaco-editor/esm/vs/editor/editor.worker?worker";
import { configureMonacoYaml } from "monaco-yaml";
import YamlWorker from "monaco-yaml/yaml.worker?worker";
import ruleSetSchema from "../../../docs/schema/rule-set.schema.json";

/**
 * Monaco with its workers bundled by Vite (no CDN) and monaco-yaml fed the rule-set JSON Schema
 * generated from the engine's zod schema: key and vocabulary-id completion, hover with each
 * field's description, and schema markers while typing. The server's own validation (lint,
 * citations, extends) comes back on save and is shown under the owner "yidi".
 */
window.MonacoEnvironment = {
  getWorker(_moduleId: string, label: string) {
    if (label === "yaml") return new YamlWorker();
    return new EditorWorker();
  },
};

export const RULE_SET_SCHEMA_URI = "inmemory://yidi/rule-set.schema.json";

export const monacoYaml = configureMonacoYaml(monaco, {
  enableSchemaRequest: false,
  hover: true,
  completion: true,
  validate: true,
  format: {},
  schemas: [
    {
      uri: RULE_SET_SCHEMA_URI,
      fileMatch: ["**/rules/**/*.yaml"],
      schema: ruleSetSchema as Record<string, unknown>,
    },
  ],
});

export { monaco };
