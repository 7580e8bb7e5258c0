import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { verifyCheckpoint, type SignedCheckpoint } from '../audit/checkpointSigner.js';
import { verifyConsistency, verifyInclusion } from '../audit/merkleVerify.js';
import { verifyLedger } from '../audit/verifyLedger.js';
import { LogFollower } from '../application/logFollower.js';
import type { Config } from '../config.js';
import type { Ledger } from '../main.js';
import { projectionNames } from '../projections/catalog.js';
import {
  noticeOf,
  openLiveProjections,
  positionAsOf,
  replayFromZero,
  viewDigest,
  withLedger,
} from './projectionCommands.js';
import { UsageError } from './commandLine.js';
import { openEventsReadOnly, openReadOnlyLedger, readPublicKey } from './readOnlyLedger.js';

type Print = (line: string) => void;

/** Opens the ledger with its audit log caught up with every event, runs `work`, closes everything. */
/**
 * Opens the ledger with its audit log holding every event in the log now. Only the audit log is fed:
 * an audit command answers from it alone, and feeding the projections too made `audit checkpoint` on
 * a ledger without them a rebuild of every projection.
 */
const withAuditedLedger = (config: Config, work: (ledger: Ledger) => Promise<number>): Promise<number> =>
  withLedger(config, async (ledger) => {
    const follower = new LogFollower(ledger.store, [ledger.audit], { stopOnFailure: true });
    follower.start();
    try {
      await follower.caughtUp;
      return await work(ledger);
    } finally {
      await follower.stop();
    }
  });

/** A checkpoint file, checked against the ledger's public key. */
const readCheckpointWith = (publicKey: KeyObject, origin: string, file: string): SignedCheckpoint => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`Cannot read the checkpoint file ${file}`);
  }
  return verifyCheckpoint(text, publicKey, origin);
};

const readCheckpoint = (ledger: Ledger, file: string): SignedCheckpoint =>
  readCheckpointWith(createPublicKey(ledger.audit.publicKeyPem), ledger.config.audit.origin, file);

const printJson = (print: Print, value: unknown) => print(JSON.stringify(value, null, 2));

/**
 * `audit verify [--checkpoint file]... [--public-key file]`: every check of /v1/audit/verify,
 * offline; with checkpoints saved earlier, also that the log is an append-only extension of each.
 * It only reads: the stores are opened read-only, and it signs, indexes, stores and creates nothing
 * (not even a signing key: the public key comes from --public-key or the existing key file).
 * Exit 0 when whole, 1 if not.
 */
export const auditVerify = async (
  config: Config,
  options: { checkpointFiles: readonly string[]; publicKeyFile: string | undefined },
  print: Print,
): Promise<number> => {
  const publicKey = readPublicKey(config, options.publicKeyFile);
  const held = options.checkpointFiles.map((file) => readCheckpointWith(publicKey, config.audit.origin, file));
  const ledger = await openReadOnlyLedger(config);
  try {
    const report = await verifyLedger(ledger.events, ledger.records, { publicKey, name: config.audit.origin }, held);
    printJson(print, { ...report, heldCheckpoints: held.map((c) => c.treeSize) });
    return report.ok ? 0 : 1;
  } finally {
    await ledger.close();
  }
};

/** `audit public-key`: the PEM public key checkpoints are signed with, from the signing key file (read only). */
export const auditPublicKey = (config: Config, print: Print): number => {
  print(readPublicKey(config, undefined).export({ type: 'spki', format: 'pem' }).toString().trimEnd());
  return 0;
};

/** `audit checkpoint`: signs a checkpoint of the log as it stands and prints its text (save it). */
export const auditCheckpoint = (config: Config, print: Print): Promise<number> =>
  withAuditedLedger(config, async (ledger) => {
    process.stdout.write(ledger.audit.checkpoint().text);
    void print;
    return 0;
  });

/** `audit prove --position p --checkpoint cp.txt`: an inclusion proof, verified against the checkpoint. */
export const auditProve = (config: Config, position: number, checkpointFile: string, print: Print): Promise<number> =>
  withAuditedLedger(config, async (ledger) => {
    const checkpoint = readCheckpoint(ledger, checkpointFile);
    const proof = ledger.audit.inclusion(position, checkpoint.treeSize);
    const verified = verifyInclusion(
      Buffer.from(proof.leafHash, 'hex'),
      proof.leafIndex,
      checkpoint.treeSize,
      proof.auditPath.map((h) => Buffer.from(h, 'hex')),
      checkpoint.rootHash,
    );
    printJson(print, { ...proof, rootHash: checkpoint.rootHash.toString('hex'), verified });
    return verified ? 0 : 1;
  });

/** `audit consistency old.txt new.txt`: proves the newer checkpoint's log extends the older one's. */
export const auditConsistency = (config: Config, oldFile: string, newFile: string, print: Print): Promise<number> =>
  withAuditedLedger(config, async (ledger) => {
    const older = readCheckpoint(ledger, oldFile);
    const newer = readCheckpoint(ledger, newFile);
    if (older.treeSize > newer.treeSize) throw new UsageError('The first checkpoint must be the older (smaller) one');
    const { proof } = older.treeSize === 0 ? { proof: [] } : ledger.audit.consistency(older.treeSize, newer.treeSize);
    const verified = verifyConsistency(
      older.treeSize,
      newer.treeSize,
      older.rootHash,
      newer.rootHash,
      proof.map((h) => Buffer.from(h, 'hex')),
    );
    printJson(print, { from: older.treeSize, to: newer.treeSize, proof, verified });
    return verified ? 0 : 1;
  });

/**
 * `audit replay [--as-of <position|time>]`: replays the whole log from zero into fresh projections (in
 * a scratch file) and compares, as of that position, a digest of each (SHA-256 of its whole answer in
 * canonical JSON) with the live projections' answer as of the same position. Any position: the live
 * rows are temporal. Reads only; a live projection that has not reached the position is compared
 * where it stands. Exit 1 if any disagrees, or if the log holds an event a projection cannot apply.
 */
export const auditReplay = async (config: Config, asOf: string | undefined, print: Print): Promise<number> => {
  const { events, close } = await openEventsReadOnly(config);
  const live = openLiveProjections(config);
  try {
    const at = await positionAsOf(events, asOf, 'audit replay');
    const notice = await noticeOf(events, asOf, at);
    if (notice !== undefined) process.stderr.write(`notice: ${notice}\n`);
    const results = await replayFromZero(events, projectionNames, (fresh, engine) =>
      projectionNames.map((name) => {
        const committed = live?.committed(name) ?? -1;
        const compared = Math.min(at, committed);
        const digest = viewDigest(name, fresh, compared);
        const { status, failure, version } = engine.state(name);
        const liveDigest = live && committed >= 0 ? viewDigest(name, live.database, compared) : undefined;
        return {
          name,
          version,
          position: compared,
          digest,
          replay: { status, ...(failure && { failure }) },
          live:
            liveDigest === undefined
              ? 'not compared: this data directory has no live projection of this version'
              : { digest: liveDigest, agrees: liveDigest === digest },
        };
      }),
    );
    printJson(print, { asOf, position: at, projections: results });
    const whole = results.every((r) => r.replay.status !== 'failed' && (typeof r.live === 'string' || r.live.agrees));
    return whole ? 0 : 1;
  } finally {
    await live?.database.close();
    await close();
  }
};
