import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What a checkpoint commits to: the log's size and Merkle root, under the log's origin name. */
export type CheckpointBody = { origin: string; treeSize: number; rootHash: Buffer };

export type SignedCheckpoint = CheckpointBody & { text: string; signature: Buffer };

const SIGNATURE_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/;

const noteBody = ({ origin, treeSize, rootHash }: CheckpointBody): string =>
  `${origin}\n${treeSize}\n${rootHash.toString('base64')}\n`;

const rawPublicKey = (key: KeyObject): Buffer => {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('The signing key must be Ed25519');
  return Buffer.from(jwk.x, 'base64url');
};

/** The signed-note key hash for Ed25519: SHA-256(name || "\n" || 0x01 || public key), first 4 bytes. */
export const noteKeyId = (name: string, publicKey: KeyObject): Buffer =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([0x01]), rawPublicKey(publicKey)]))
    .digest()
    .subarray(0, 4);

/**
 * Signs C2SP tlog-checkpoints with Ed25519, as signed notes: the body (origin, tree size, base64
 * root), a blank line, then "— <name> base64(key id || signature)".
 */
export class CheckpointSigner {
  readonly publicKey: KeyObject;
  readonly keyId: Buffer;
  readonly publicKeyPem: string;

  constructor(
    readonly name: string,
    private readonly privateKey: KeyObject,
  ) {
    this.publicKey = createPublicKey(privateKey);
    this.keyId = noteKeyId(name, this.publicKey);
    this.publicKeyPem = this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(checkpoint: CheckpointBody): SignedCheckpoint {
    const body = noteBody(checkpoint);
    const signature = sign(null, Buffer.from(body), this.privateKey);
    const line = `\u2014 ${this.name} ${Buffer.concat([this.keyId, signature]).toString('base64')}\n`;
    return { ...checkpoint, text: `${body}\n${line}`, signature };
  }
}

/**
 * Reads a checkpoint and checks that `name`'s key signed it. Throws with the reason when the text is
 * not a checkpoint or carries no valid signature by that key.
 */
export const verifyCheckpoint = (text: string, publicKey: KeyObject, name: string): SignedCheckpoint => {
  const separator = text.indexOf('\n\n');
  if (separator < 0) throw new Error('not a signed checkpoint: no blank line before the signatures');
  const lines = text.slice(0, separator).split('\n');
  const [origin, size, root] = lines;
  if (lines.length !== 3 || !origin || !size || !root || !/^\d{1,15}$/.test(size)) {
    throw new Error('not a checkpoint: expected origin, tree size and root hash');
  }
  const checkpoint: CheckpointBody = { origin, treeSize: Number(size), rootHash: Buffer.from(root, 'base64') };
  const keyId = noteKeyId(name, publicKey);
  for (const line of text.slice(separator + 2).split('\n')) {
    const match = SIGNATURE_LINE.exec(line);
    if (match?.[1] !== name || !match[2]) continue;
    const blob = Buffer.from(match[2], 'base64');
    const signature = blob.subarray(4);
    if (blob.subarray(0, 4).equals(keyId) && verify(null, Buffer.from(noteBody(checkpoint)), publicKey, signature)) {
      return { ...checkpoint, text, signature };
    }
  }
  throw new Error(`no valid signature by ${name}'s key`);
};

/** The Ed25519 key in `file` (PKCS#8 PEM), generated there with mode 0600 on first use. */
export const loadOrCreateSigningKey = (file: string): KeyObject => {
  if (existsSync(file)) return createPrivateKey(readFileSync(file));
  mkdirSync(dirname(file), { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  return privateKey;
};
