import { createHash, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCheckpoint } from '../../src/audit/checkpointSigner.js';
import { expectJson, expectProblem, post, schedule, smallGroup, watchLog } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type Listed = { treeSize: number; position: number; rootHash: string; signedAt: string; text: string };
type Page = { checkpoints: Listed[]; next: string | null };

let t: TestApp;
const list = (query = '', role: 'auditor' | 'secretariat' | 'reporter' | null = 'auditor') =>
  t.as(role, { method: 'GET', url: `/v1/audit/checkpoints${query}` });

/** Admits a member and signs a checkpoint once the audit log has indexed it: one more kept checkpoint. */
const checkpointAnotherEvent = async (memberId: string): Promise<number> => {
  await post(t, '/v1/members', { memberId, name: memberId, kind: 'state' });
  const head = await t.eventCount();
  const deadline = Date.now() + 5_000;
  while (t.ledger.audit.treeSize < head && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  const signed = expectJson<{ treeSize: number }>(
    await t.as('auditor', { method: 'POST', url: '/v1/audit/checkpoint' }),
    201,
  );
  expect(signed.treeSize).toBe(head);
  return signed.treeSize;
};

/** Follows `next` from the first page to the last, each page of `limit`. */
const everyPage = async (limit: number): Promise<Page[]> => {
  const pages = [expectJson<Page>(await list(`?limit=${limit}`), 200)];
  for (let next = pages[0]!.next; next !== null; next = pages.at(-1)!.next) {
    pages.push(expectJson<Page>(await list(`?limit=${limit}&cursor=${encodeURIComponent(next)}`), 200));
    expect(pages.length).toBeLessThan(20);
  }
  return pages;
};

const sizes = (checkpoints: Listed[]) => checkpoints.map((c) => c.treeSize);

beforeAll(async () => {
  // No checkpoint of the ledger's own between the ones this test signs.
  t = await startTestApp({ LEDGER_CHECKPOINT_EVERY_SECONDS: '86400' });
  for (const member of ['iraq', 'france', 'japan', 'kenya', 'norway', 'peru', 'qatar']) {
    await checkpointAnotherEvent(member);
  }
});
afterAll(() => t.close());

describe('GET /v1/audit/checkpoints', () => {
  it('lists every kept checkpoint newest first, each as it was signed and kept', async () => {
    // Given the empty tree's checkpoint and seven more, one per event
    // When an auditor lists them
    const page = expectJson<Page>(await list(), 200);

    // Then the largest tree size comes first, down to the empty tree's, and nothing follows
    expect(sizes(page.checkpoints)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(page.next).toBeNull();
    const key = createPublicKey(t.ledger.audit.publicKeyPem);
    for (const listed of page.checkpoints) {
      const kept = expectJson<Listed>(
        await t.as('auditor', { method: 'GET', url: `/v1/audit/checkpoint?treeSize=${listed.treeSize}` }),
        200,
      );
      expect(listed).toEqual({
        treeSize: kept.treeSize,
        position: kept.position,
        rootHash: kept.rootHash,
        signedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        text: kept.text,
      });
      expect(verifyCheckpoint(listed.text, key, 'meeting-ledger').rootHash.toString('hex')).toBe(listed.rootHash);
    }
    // Signed one after the other: the newer, the later (or the same millisecond).
    const times = page.checkpoints.map((c) => c.signedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages through them with limit and next, none twice and none missed, the secretariat as well', async () => {
    // Given eight kept checkpoints
    // When they are read three at a time
    const pages = await everyPage(3);

    // Then three pages hold them all in order, the last with no next
    expect(pages.map((page) => sizes(page.checkpoints))).toEqual([
      [7, 6, 5],
      [4, 3, 2],
      [1, 0],
    ]);
    expect(pages.map((page) => page.next === null)).toEqual([false, false, true]);
    const bySecretariat = expectJson<Page>(await list('?limit=8', 'secretariat'), 200);
    expect(sizes(bySecretariat.checkpoints)).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(bySecretariat.next).toBeNull();
  });

  it('goes on from where the page ended when a checkpoint is signed between two pages', async () => {
    // Given a first page read before a newer checkpoint is signed
    const first = expectJson<Page>(await list('?limit=4'), 200);
    const newest = await checkpointAnotherEvent('oman');

    // When the following pages are read with its next
    let rest: Listed[] = [];
    for (let next = first.next; next !== null;) {
      const page = expectJson<Page>(await list(`?limit=4&cursor=${encodeURIComponent(next)}`), 200);
      rest = [...rest, ...page.checkpoints];
      next = page.next;
    }

    // Then they hold exactly the older checkpoints, and a new first page starts with the newest
    expect(sizes([...first.checkpoints, ...rest])).toEqual([7, 6, 5, 4, 3, 2, 1, 0]);
    expect(sizes(expectJson<Page>(await list('?limit=1'), 200).checkpoints)).toEqual([newest]);
  });

  it('refuses the reporter and a caller without a token, as every audit route does', async () => {
    // Given a watch on the log
    const log = await watchLog(t);

    // When / then
    expectProblem(await list('', 'reporter'), 403, 'forbidden');
    expectProblem(await list('', null), 401, 'unauthorized');
    await log.expectUnchanged();
  });

  it('refuses a limit or a cursor it cannot take as a problem document', async () => {
    // Given a limit out of range or not a number, an unknown parameter, a cursor never handed out
    const invalid = ['?limit=0', '?limit=-1', '?limit=1001', '?limit=ten', '?limit=2.5', '?before=3', '?cursor=x'];
    const first = expectJson<Page>(await list('?limit=1'), 200);
    const [payload = '', mac = ''] = first.next!.split('.');
    const forged = `${payload}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const alien = `${Buffer.from('{"at":0,"after":3}').toString('base64url')}.${'A'.repeat(43)}`;

    // When each is asked for, then each is a 400 problem
    for (const query of invalid) expectProblem(await list(query), 400, 'invalid-request');
    for (const cursor of [forged, alien]) expectProblem(await list(`?cursor=${cursor}`), 400, 'invalid-cursor');
  });

  it('takes no cursor of another list, and hands out none another list takes', async () => {
    // Given a cursor of the agenda and one of this list
    await schedule(t, smallGroup);
    await schedule(t, { ...smallGroup, startsAt: '2017-07-14T09:00:00-04:00', endsAt: '2017-07-14T17:00:00-04:00' });
    const agenda = expectJson<Page>(
      await t.as('auditor', { method: 'GET', url: '/v1/agenda?from=2017-01-01T00:00:00Z&limit=1&minPosition=0' }),
      200,
    );
    const checkpoints = expectJson<Page>(await list('?limit=1'), 200);
    expect(agenda.next).not.toBeNull();

    // When each is given to the other list, then each is refused
    expectProblem(await list(`?cursor=${agenda.next}`), 400, 'invalid-cursor');
    const url = `/v1/agenda?from=2017-01-01T00:00:00Z&limit=1&cursor=${checkpoints.next}`;
    expectProblem(await t.as('auditor', { method: 'GET', url }), 400, 'invalid-cursor');
  });
});

describe('GET /v1/audit/checkpoints on a ledger with no event', () => {
  let empty: TestApp;
  beforeAll(async () => {
    empty = await startTestApp();
  });
  afterAll(() => empty.close());

  it('lists the one checkpoint of the empty tree', async () => {
    // Given a ledger that recorded nothing
    // When an auditor lists the checkpoints
    const page = expectJson<Page>(await empty.as('auditor', { method: 'GET', url: '/v1/audit/checkpoints' }), 200);

    // Then the only one is the empty tree's: size 0, root SHA-256 of nothing
    expect(page.checkpoints).toEqual([
      expect.objectContaining({
        treeSize: 0,
        position: 0,
        rootHash: createHash('sha256').update('').digest('hex'),
      }),
    ]);
    expect(page.next).toBeNull();
  });
});
