// REST reads of the dashboard's own server (the history), with the same token as the socket.
import { currentToken } from './socket.ts';

/** An answer other than 2xx: the server's message, and its status (404: not recorded / no history). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const token = currentToken();
  const res = await fetch(query ? `${path}?${query}` : path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
  if (!res.ok) throw new ApiError(res.status, body?.error ?? 'http', body?.message ?? `${res.status} ${res.statusText}`);
  return body as T;
}
