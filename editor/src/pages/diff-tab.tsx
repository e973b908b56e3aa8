export function DiffTab({ version }: { version: import("../api/types.ts").Version }) {
  void version;
  return null;
}
