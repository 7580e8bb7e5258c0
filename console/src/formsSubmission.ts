import { ApiRefusal, api, sawPosition } from './api.js';

/** What the ledger answers to an accepted command. */
export type Accepted = { meetingId?: string; revision: number; position: number; events: string[] };

/** 128 random bits in hex: crypto.randomUUID needs a secure context, a console on a LAN address is not one. */
const newKey = (): string =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');

/** A refusal is an answer: the ledger decided, and sending the same again would be refused again. */
export const isAnswer = (error: unknown): error is ApiRefusal =>
  error instanceof ApiRefusal && error.status < 500 && error.status !== 408 && error.status !== 429;

/**
 * Sends one form's commands. Each submission gets its own Idempotency-Key; when its fate is unknown
 * (the network failed, the ledger was unavailable) the same submission sent again reuses the key, so
 * the ledger applies it at most once. A changed submission is a new request with a new key.
 */
export const formSubmitter = () => {
  let pending: { request: string; key: string } | undefined;
  return async (path: string, body: unknown, revision?: number): Promise<Accepted> => {
    const request = JSON.stringify([path, body, revision]);
    if (pending?.request !== request) pending = { request, key: newKey() };
    const headers = {
      'idempotency-key': pending.key,
      ...(revision !== undefined && { 'if-match': `"${revision}"` }),
    };
    try {
      const accepted = await api<Accepted>('POST', path, body, headers);
      pending = undefined;
      sawPosition(accepted.position); // read your writes: every view now reads at least this far
      return accepted;
    } catch (error) {
      if (isAnswer(error)) pending = undefined;
      throw error;
    }
  };
};
