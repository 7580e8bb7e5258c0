import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, eventHash, jcs } from '../../src/audit/canonical.js';

const mosul = {
  streamId: 'meeting-01BMVE5040DEM0000000000003',
  revision: 14,
  eventId: '5f0e4c1e-8a3b-4c2d-9e1f-000000000030',
  type: 'OutcomeRecorded',
  data: {
    meetingId: '01BMVE5040DEM0000000000003',
    outcomeId: '01BM9QNJ00DEM0000000000030',
    kind: 'assessment',
    summary: 'Through Coalition support, Mosul is on the verge of liberation by the Iraqi Security Forces.',
    theatre: 'mosul',
    stage: 'verge-of-liberation',
    agendaItemId: 'iraq-syria',
    occurredOn: '2017-07-05',
  },
  metadata: {
    commandId: '01M8JWKER69764W2NDNP05FKVQ',
    correlationId: '01M8JWKER1XMSYRPZ7ZK4Q71TN',
    causationId: '01M8JWKER69764W2NDNP05FKVQ',
    actor: 'secretariat#437060f4',
    recordedAt: '2017-07-12T21:00:00.000Z',
    schemaVersion: 1,
    prevHash: 'aa'.repeat(32),
    notAudited: 'ignored',
  },
};

describe('canonical bytes (encoding version 1, docs/audit.md)', () => {
  it('sorts keys, writes no whitespace and escapes strings as JSON.stringify does', () => {
    expect(jcs({ b: [1, 'two', null, true], a: { é: 'Côte d’Ivoire', A: -0.5 } })).toBe(
      '{"a":{"A":-0.5,"é":"Côte d’Ivoire"},"b":[1,"two",null,true]}',
    );
    expect(jcs({ line: 'a\nb"c' })).toBe('{"line":"a\\nb\\"c"}');
    expect(() => jcs({ n: Number.NaN })).toThrow(TypeError);
  });

  it('encodes an event exactly as documented: audited metadata only, missing fields as null', () => {
    const text = canonicalBytes(mosul).toString('utf8');
    expect(text.startsWith('{"data":{"agendaItemId":"iraq-syria","kind":"assessment",')).toBe(true);
    expect(text).toContain(
      '"metadata":{"actor":"secretariat#437060f4","causationId":"01M8JWKER69764W2NDNP05FKVQ","commandId":"01M8JWKER69764W2NDNP05FKVQ","correlationId":"01M8JWKER1XMSYRPZ7ZK4Q71TN","prevHash":"' +
        'aa'.repeat(32) +
        '","recordedAt":"2017-07-12T21:00:00.000Z"}',
    );
    expect(
      text.endsWith(
        ',"revision":14,"schemaVersion":1,"streamId":"meeting-01BMVE5040DEM0000000000003","type":"OutcomeRecorded","v":1}',
      ),
    ).toBe(true);
    expect(text).not.toContain('notAudited');
    const bare = canonicalBytes({ ...mosul, metadata: {} }).toString('utf8');
    expect(bare).toContain(
      '"metadata":{"actor":null,"causationId":null,"commandId":null,"correlationId":null,"prevHash":null,"recordedAt":null}',
    );
    expect(bare).toContain('"schemaVersion":null');
  });

  it('hashes the canonical bytes with SHA-256, so key order in storage changes nothing', () => {
    const reordered = { ...mosul, data: Object.fromEntries(Object.entries(mosul.data).reverse()) };
    expect(eventHash(reordered)).toBe(eventHash(mosul));
    expect(eventHash(mosul)).toBe(createHash('sha256').update(canonicalBytes(mosul)).digest('hex'));
    expect(eventHash({ ...mosul, revision: 15 })).not.toBe(eventHash(mosul));
    expect(eventHash({ ...mosul, data: { ...mosul.data, stage: 'liberated' } })).not.toBe(eventHash(mosul));
  });
});
