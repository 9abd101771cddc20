// The one way the web app reaches the server: the REST API through a client typed
// by the server's own OpenAPI document (api-schema.gen.ts, made by
// scripts/api-types.ts), signed in by the HttpOnly session cookie; every request
// carries the CSRF header the server requires of cookie sessions that change something.
import createClient from 'openapi-fetch';
import type { paths } from './api-schema.gen.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** `api.GET('/messages/{id}', { params: { path: { id } } })`: paths, parameters, bodies and answers are the server's. */
export const api = createClient<paths>({
  baseUrl: '/api/v1',
  credentials: 'same-origin',
  headers: { accept: 'application/json', 'x-tandem-csrf': '1' },
});

/** The answer of a request made with `api`, or an ApiError with the server's code and message. */
export async function ok<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: Awaited<typeof request>;
  try {
    answer = await request;
  } catch {
    throw new ApiError(0, 'network', 'Tandem cannot be reached: check your connection');
  }
  const { data, error, response } = answer;
  if (!response.ok) {
    const detail = (error as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      detail?.code ?? 'unknown',
      detail?.message ?? `The server answered ${response.status}`,
    );
  }
  // A success without a body (204) has no data: its schema says null.
  return data as T;
}

/** `?a=1&b=2` of the parameters that have a value, for links to the API (the OAuth2 start). */
export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  );
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

/** A message for people, from any failure. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // Messages written for the API mark commands and names with backticks; people see them plain.
  return text.replace(/`([^`]*)`/g, '$1');
}
