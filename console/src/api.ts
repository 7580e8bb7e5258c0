/** A refusal as the ledger explains it (application/problem+json), or the bare status. */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const refusal = async (response: Response): Promise<ApiRefusal> => {
  try {
    const problem = (await response.json()) as { title?: string; detail?: string };
    return new ApiRefusal(response.status, problem.detail ?? problem.title ?? response.statusText);
  } catch {
    return new ApiRefusal(response.status, response.statusText);
  }
};

/**
 * The console's calls: same origin, so the browser sends the HttpOnly session cookie itself; the
 * token is sent once, to sign in, and kept nowhere in the page.
 */
export const api = async <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw await refusal(response);
  return (response.status === 204 ? undefined : await response.json()) as T;
};

export type SignedIn = { signedIn: true; role: string; actor: string };
export type Session = SignedIn | { signedIn: false };
