import { createPublicKey } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuditLog } from '../../audit/auditLog.js';
import type { AuditStore, StoredCheckpoint } from '../../audit/auditStore.js';
import { verifyLedger, type VerifyReport } from '../../audit/verifyLedger.js';
import type { EventStore } from '../../eventStore/eventStore.js';
import { AUDITORS } from '../access.js';
import { listingOf, PageCursors } from '../pageCursors.js';
import { HttpProblem } from '../problem.js';
import { projectionReadQuery } from '../projectionReads.js';

const count = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const treeSizeKey = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** A page of the kept checkpoints: what an auditor picks an older tree head from. */
const listed = (c: StoredCheckpoint) => ({
  treeSize: c.treeSize,
  position: c.position,
  rootHash: c.rootHash,
  signedAt: c.createdAt,
  text: c.text,
});

export type AuditRouteOptions = {
  /** The largest page of the checkpoint list (LEDGER_LIMITS pageSize). */
  pageSize?: number;
  /** Signs page cursors (see PageCursors); random when absent, so cursors then last one process. */
  cursorKey?: Buffer;
};

/**
 * The auditor's routes: signed checkpoints (with the public key that checks them), inclusion and
 * consistency proofs, full verification (read-only, bounded memory, in worker threads for SQLite).
 */
export const auditRoutes =
  (
    audit: AuditLog,
    auditStore: AuditStore,
    events: EventStore,
    keyName: string,
    options: AuditRouteOptions = {},
  ): FastifyPluginAsyncZod =>
  async (app) => {
    const present = (c: StoredCheckpoint) => ({
      treeSize: c.treeSize,
      position: c.position,
      rootHash: c.rootHash,
      text: c.text,
      signature: c.signature,
      publicKey: audit.publicKeyPem,
      keyId: audit.keyId,
    });
    const access = { access: AUDITORS };
    const tags = ['audit'];
    // One verification at a time: requests arriving while one runs get its report, so a crowd of
    // auditors cannot start a crowd of worker threads each reading the whole log.
    let running: Promise<VerifyReport> | undefined;
    const verify = (): Promise<VerifyReport> =>
      (running ??= verifyLedger(events, auditStore, {
        publicKey: createPublicKey(audit.publicKeyPem),
        name: keyName,
      }).finally(() => (running = undefined)));

    app.get(
      '/v1/audit/checkpoint',
      {
        config: access,
        schema: {
          tags,
          summary: 'The latest signed checkpoint, or the one kept at treeSize',
          querystring: z.strictObject({ treeSize: count.optional() }),
        },
      },
      async (request) => {
        const { treeSize } = request.query;
        if (treeSize === undefined) return present(auditStore.latestCheckpoint() ?? audit.checkpoint());
        const kept = auditStore.checkpointAt(treeSize);
        if (!kept)
          throw new HttpProblem(
            404,
            'no-checkpoint',
            'No checkpoint at that size',
            `No checkpoint was kept at tree size ${treeSize}`,
          );
        return present(kept);
      },
    );

    const cursors = new PageCursors(options.cursorKey);
    const paging = projectionReadQuery(options.pageSize ?? 1000);
    app.get(
      '/v1/audit/checkpoints',
      {
        config: access,
        schema: {
          tags,
          summary: 'The checkpoints the ledger kept, newest (largest tree size) first, a page at a time',
          querystring: z.strictObject({
            limit: paging.limit,
            cursor: paging.cursor.describe("The previous page's `next`: the older checkpoints that follow"),
          }),
        },
      },
      async (request) => {
        const { limit, cursor } = request.query;
        const listing = listingOf(request);
        const started = cursor === undefined ? undefined : cursors.decode(cursor, listing);
        const before = PageCursors.after(treeSizeKey, started?.after) ?? Number.MAX_SAFE_INTEGER;
        // One more than the page: whether another page follows, without counting what is kept.
        const page = auditStore.checkpointsBefore(before, limit + 1);
        const checkpoints = page.slice(0, limit);
        const last = checkpoints.at(-1);
        // `at`, as in every cursor, the position the first page answered at: what its newest checkpoint covers.
        const at = started?.at ?? checkpoints[0]?.position ?? 0;
        const next = page.length > limit && last ? cursors.encode({ at, after: last.treeSize, on: listing }) : null;
        return { checkpoints: checkpoints.map(listed), next };
      },
    );

    // Public, as a public key is meant to be: anyone handed a checkpoint can check its signature.
    // An auditor fetches it once and keeps it (or compares its keyId with one held): a key fetched
    // again from the ledger being checked proves nothing against someone who replaced both.
    app.get(
      '/v1/audit/public-key',
      {
        config: { access: 'public' },
        schema: { tags, summary: 'The Ed25519 public key checkpoints are signed with (PEM), its key id and origin' },
      },
      async () => ({ origin: keyName, keyId: audit.keyId, publicKey: audit.publicKeyPem }),
    );

    app.post(
      '/v1/audit/checkpoint',
      { config: access, schema: { tags, summary: 'Sign and keep a checkpoint of the log as it stands now' } },
      async (_request, reply) => reply.code(201).send(present(audit.checkpoint())),
    );

    app.get(
      '/v1/audit/proofs/inclusion',
      {
        config: access,
        schema: {
          tags,
          summary: 'RFC 9162 inclusion proof of the event at a position',
          querystring: z.strictObject({ position: count, treeSize: count }),
        },
      },
      async (request) => audit.inclusion(request.query.position, request.query.treeSize),
    );

    app.get(
      '/v1/audit/proofs/consistency',
      {
        config: access,
        schema: {
          tags,
          summary: 'RFC 9162 consistency proof between two tree sizes',
          querystring: z.strictObject({ from: count, to: count }),
        },
      },
      async (request) => audit.consistency(request.query.from, request.query.to),
    );

    app.get(
      '/v1/audit/verify',
      {
        config: access,
        schema: { tags, summary: 'Recompute every hash from the stored events and check chains and checkpoints' },
      },
      async () => verify(),
    );
  };
