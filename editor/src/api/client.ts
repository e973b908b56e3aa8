import createClient from "openapi-fetch";
import type { paths } from "./schema.d.ts";
import { ApiError, type Problem } from "./types.ts";

/**
 * The typed client: paths, parameters, bodies and responses come from the server's own OpenAPI
 * document (`npm run api:types` → schema.d.ts), so the app and the server cannot drift.
 * The session is the cookie `POST /api/login` sets.
 */
export const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a call, or an ApiError with the server's code, message and problems. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<NonNullable<T>> {
  const { data, error, response } = await call;
  if (!response.ok || error !== undefined) {
    const body = (error as { error?: { code?: string; message?: string; problems?: Problem[] } } | undefined)
      ?.error;
    throw new ApiError(
      response.status,
      body?.code ?? `HTTP_${response.status}`,
      body?.message ?? response.statusText,
      body?.problems,
    );
  }
  return data as NonNullable<T>;
}
