export function TryTab({ version }: { version: import("../api/types.ts").Version }) {
  void version;
  return null;
}
