import { request, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { settlesWithin } from '../eventStore/subscriptionProbe.js';
import { members } from './fixtures.js';
import { startTestApp, tokens, type TestApp } from './testApp.js';

let t: TestApp | undefined;
afterEach(async () => {
  t?.app.server.closeAllConnections();
  await t?.close();
});

describe('closing the server', () => {
  it('answers a request in flight with Connection: close, so the stop does not wait for its idle connection', async () => {
    // given a keep-alive connection carrying a command whose body has not arrived yet
    t = await startTestApp();
    const { app } = t;
    await app.listen({ port: 0, host: '127.0.0.1' });
    const body = JSON.stringify(members.iraq);
    const sent = request({
      agent: new Agent({ keepAlive: true }),
      port: (app.server.address() as AddressInfo).port,
      method: 'POST',
      path: '/v1/members',
      headers: {
        authorization: `Bearer ${tokens.secretariat}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
      },
    });
    const answered = new Promise<{ status?: number; connection?: string }>((resolve, reject) => {
      sent.on('response', (response) => {
        response.resume();
        resolve({ status: response.statusCode, connection: response.headers.connection });
      });
      sent.on('error', reject);
    });
    const received = new Promise((resolve) => app.server.once('request', resolve));
    sent.flushHeaders();
    await received;

    // when the server closes, then the body arrives
    const closing = app.close();
    await expect.poll(() => app.server.listening).toBe(false);
    sent.end(body);

    // then the command is answered, on a connection the server ends, and the close completes
    expect(await answered).toEqual({ status: 201, connection: 'close' });
    await settlesWithin(closing, 10_000, 'the server to close');
  });
});
