import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointSigner, loadOrCreateSigningKey, verifyCheckpoint } from '../../src/audit/checkpointSigner.js';

const dir = mkdtempSync(join(tmpdir(), 'ledger-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');

describe('signed checkpoints', () => {
  const signer = new CheckpointSigner('meeting-ledger', loadOrCreateSigningKey(join(dir, 'signing-key.pem')));

  it('writes a C2SP checkpoint: origin, size, base64 root, a blank line, then the signature line', () => {
    const { text } = signer.sign({ origin: 'coalition.example/ledger', treeSize: 8, rootHash: root });
    const [origin, size, rootLine, blank, signatureLine, end] = text.split('\n');
    expect([origin, size, rootLine, blank, end]).toEqual([
      'coalition.example/ledger',
      '8',
      root.toString('base64'),
      '',
      '',
    ]);
    expect(signatureLine).toMatch(/^\u2014 meeting-ledger [A-Za-z0-9+/]+=*$/);
    const blob = Buffer.from(signatureLine!.split(' ')[2]!, 'base64');
    expect(blob.subarray(0, 4)).toEqual(signer.keyId);
    expect(blob.length).toBe(4 + 64);
  });

  it('verifies with the public key alone, and refuses any change to the body or the signature', () => {
    const { text } = signer.sign({ origin: 'coalition.example/ledger', treeSize: 8, rootHash: root });
    expect(verifyCheckpoint(text, signer.publicKey, 'meeting-ledger')).toMatchObject({ treeSize: 8, rootHash: root });
    expect(() => verifyCheckpoint(text.replace('\n8\n', '\n9\n'), signer.publicKey, 'meeting-ledger')).toThrow(
      /no valid signature/,
    );
    const otherRoot = Buffer.alloc(32, 1).toString('base64');
    expect(() =>
      verifyCheckpoint(text.replace(root.toString('base64'), otherRoot), signer.publicKey, 'meeting-ledger'),
    ).toThrow();
    const { publicKey: stranger } = generateKeyPairSync('ed25519');
    expect(() => verifyCheckpoint(text, stranger, 'meeting-ledger')).toThrow(/no valid signature/);
    expect(() => verifyCheckpoint(text, signer.publicKey, 'someone-else')).toThrow(/no valid signature/);
    expect(() => verifyCheckpoint('not a checkpoint', signer.publicKey, 'meeting-ledger')).toThrow(
      /not a signed checkpoint/,
    );
  });

  it('generates the key once, with mode 0600, and reads the same key afterwards', () => {
    const file = join(dir, 'once.pem');
    const first = loadOrCreateSigningKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const again = loadOrCreateSigningKey(file);
    expect(new CheckpointSigner('x', again).publicKeyPem).toBe(new CheckpointSigner('x', first).publicKeyPem);
  });
});
