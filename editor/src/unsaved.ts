/**
 * Text typed in the editor and not yet saved, kept in localStorage per version with the revision
 * it was typed on, so that neither a failed save nor a reload loses it.
 */
export type Unsaved = { revision: number; text: string };

const key = (id: number) => `yidi:unsaved:${id}`;

export function keepUnsaved(id: number, revision: number, text: string) {
  try {
    localStorage.setItem(key(id), JSON.stringify({ revision, text } satisfies Unsaved));
  } catch {
    // storage full or disabled: the text is still in the editor
  }
}

export function readUnsaved(id: number): Unsaved | null {
  try {
    const data = JSON.parse(localStorage.getItem(key(id)) ?? "null") as Unsaved | null;
    return data && typeof data.text === "string" && typeof data.revision === "number" ? data : null;
  } catch {
    return null;
  }
}

export const forgetUnsaved = (id: number) => localStorage.removeItem(key(id));
