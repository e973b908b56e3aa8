import { dictionary } from "@zxcvbn-ts/language-common";
import { z } from "zod";

/**
 * The password policy: 12 to 256 characters, not one of the ~49,000 most common passwords
 * (zxcvbn-ts's list, compared case-insensitively), not the username, no control characters.
 */
export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 256;

let common: Set<string> | undefined;
const commonPasswords = () => {
  common ??= new Set(dictionary["passwords-common"].map((p) => p.toLowerCase()));
  return common;
};

/** Why the password is refused (English), or undefined when it is acceptable. */
export function passwordProblem(password: string, username?: string): string | undefined {
  if ([...password].length < PASSWORD_MIN) return `a password needs at least ${PASSWORD_MIN} characters`;
  if (password.length > PASSWORD_MAX) return `a password has at most ${PASSWORD_MAX} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(password)) return "a password has no control characters";
  const lower = password.toLowerCase();
  if (username && lower === username.toLowerCase()) return "the password must not be the username";
  if (commonPasswords().has(lower)) return "this is one of the most common passwords; choose another";
  return undefined;
}

/** Usernames: 1–64 letters, digits, '_', '.', '-' or '@'. */
export const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const usernameField = z.string().regex(USERNAME, "1–64 letters, digits, '_', '.', '@' or '-'");

/** A new password, as a request field (the username check is made where the username is known). */
export const newPasswordField = z.string().superRefine((p, ctx) => {
  const problem = passwordProblem(p);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
