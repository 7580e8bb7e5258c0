import { createPublicKey } from 'node:crypto';
import { join } from 'node:path';
import Database from '../../src/sqliteDriver.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyCheckpoint } from '../../src/audit/checkpointSigner.js';
import { verifyConsistency, verifyInclusion } from '../../src/audit/merkleVerify.js';
import { expectJson, expectProblem, members, observers, outcomes, post, schedule, smallGroup } from './fixtures.js';
import { startTestApp, type TestApp } from './testApp.js';

type Checkpoint = {
  treeSize: number;
  position: number;
  rootHash: string;
  text: string;
  signature: string;
  publicKey: string;
  keyId: string;
};
type Verified = {
  ok: boolean;
  eventsChecked: number;
  treeSize: number;
  rootHash: string;
  firstBreak?: { position: number; streamId: string; revision: number; reason: string };
};

let t: TestApp;
const get = (url: string) => t.as('auditor', { method: 'GET', url });
const hex = (s: string) => Buffer.from(s, 'hex');

/** Waits, with a bound, until the audit log has indexed the whole log. */
const indexed = async (): Promise<number> => {
  const head = (await t.ledger.store.readAll({})).length;
  const deadline = Date.now() + 5_000;
  while (t.ledger.audit.treeSize < head && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  expect(t.ledger.audit.treeSize).toBe(head);
  return head;
};

const checkpointNow = async (): Promise<Checkpoint> => {
  await indexed();
  return expectJson<Checkpoint>(await t.as('auditor', { method: 'POST', url: '/v1/audit/checkpoint' }), 201);
};

beforeAll(async () => {
  t = await startTestApp();
  await post(t, '/v1/members', members.iraq);
  const meetingId = await schedule(t, smallGroup);
  await post(t, `/v1/meetings/${meetingId}/observers`, observers.africanUnion);
  await post(t, `/v1/meetings/${meetingId}/outcomes`, outcomes.mosul);
});
afterAll(async () => {
  await t.close();
});

describe('signed checkpoints and proofs', () => {
  it('serves a checkpoint whose signature verifies with the public key it carries', async () => {
    const cp = await checkpointNow();
    expect(cp.treeSize).toBe(4);
    const signed = verifyCheckpoint(cp.text, createPublicKey(cp.publicKey), 'meeting-ledger');
    expect(signed.rootHash.toString('hex')).toBe(cp.rootHash);
    expect(expectJson<Checkpoint>(await get('/v1/audit/checkpoint'), 200)).toEqual(cp);
    expect(expectJson<Checkpoint>(await get(`/v1/audit/checkpoint?treeSize=${cp.treeSize}`), 200)).toEqual(cp);
    expectProblem(await get('/v1/audit/checkpoint?treeSize=3'), 404, 'no-checkpoint');
  });

  it('publishes the public key to anyone, and checkpoints verify with it', async () => {
    const cp = await checkpointNow();
    const key = expectJson<{ origin: string; keyId: string; publicKey: string }>(
      await t.as(null, { method: 'GET', url: '/v1/audit/public-key' }),
      200,
    );
    expect(key).toEqual({ origin: 'meeting-ledger', keyId: cp.keyId, publicKey: t.ledger.audit.publicKeyPem });
    const signed = verifyCheckpoint(cp.text, createPublicKey(key.publicKey), key.origin);
    expect(signed.rootHash.toString('hex')).toBe(cp.rootHash);
    // Reading the key signs nothing.
    expect(expectJson<Checkpoint>(await get('/v1/audit/checkpoint'), 200)).toEqual(cp);
  });

  it('proves every event is in the tree of a checkpoint (RFC 9162 inclusion)', async () => {
    const cp = await checkpointNow();
    const events = await t.ledger.store.readAll({});
    for (const event of events) {
      const proof = expectJson<{ leafIndex: number; treeSize: number; leafHash: string; auditPath: string[] }>(
        await get(`/v1/audit/proofs/inclusion?position=${event.position}&treeSize=${cp.treeSize}`),
        200,
      );
      expect(
        verifyInclusion(hex(proof.leafHash), proof.leafIndex, cp.treeSize, proof.auditPath.map(hex), hex(cp.rootHash)),
      ).toBe(true);
    }
  });

  it('proves a later checkpoint extends an earlier one (RFC 9162 consistency)', async () => {
    const older = await checkpointNow();
    const meetingId = await schedule(t, smallGroup);
    await post(t, `/v1/meetings/${meetingId}/close`);
    const newer = await checkpointNow();
    expect(newer.treeSize).toBe(older.treeSize + 2);
    const { proof } = expectJson<{ proof: string[] }>(
      await get(`/v1/audit/proofs/consistency?from=${older.treeSize}&to=${newer.treeSize}`),
      200,
    );
    expect(
      verifyConsistency(older.treeSize, newer.treeSize, hex(older.rootHash), hex(newer.rootHash), proof.map(hex)),
    ).toBe(true);
  });

  it('refuses proofs beyond the log and for positions that hold no event', async () => {
    const cp = await checkpointNow();
    expectProblem(await get(`/v1/audit/proofs/consistency?from=1&to=${cp.treeSize + 5}`), 422, 'beyond-the-log');
    expectProblem(
      await get(`/v1/audit/proofs/inclusion?position=999999&treeSize=${cp.treeSize}`),
      404,
      'no-such-event',
    );
    expectProblem(await get('/v1/audit/proofs/inclusion?position=1'), 400, 'invalid-request');
  });
});

describe('verification', () => {
  it('recomputes every hash and finds the ledger whole', async () => {
    const head = await indexed();
    await checkpointNow();
    const report = expectJson<Verified>(await get('/v1/audit/verify'), 200);
    expect(report).toMatchObject({ ok: true, eventsChecked: head, treeSize: head });
    expect(report.firstBreak).toBeUndefined();
  });

  it('finds an event edited behind the ledger’s back, at its exact position', async () => {
    await checkpointNow();
    const [, second] = await t.ledger.store.readAll({ maxCount: 2 });
    // What an attacker with the database file would do: drop the guard, rewrite history.
    const db = new Database(join(t.ledger.config.dataDir, 'ledger.sqlite'));
    db.exec('DROP TRIGGER events_are_immutable');
    db.prepare("UPDATE events SET data = replace(data, 'Small Group', 'Large Group') WHERE position = ?").run(
      second!.position,
    );
    db.close();
    const report = expectJson<Verified>(await get('/v1/audit/verify'), 200);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({
      position: second!.position,
      streamId: second!.streamId,
      revision: second!.revision,
    });
    expect(report.firstBreak?.reason).toMatch(/no longer hashes/);
  });
});
