import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Credentials tokens at rest: AES-256-GCM so GET credentials can return them, plus an HMAC
 * (keyed with a key derived from the same secret) to find a connection by the token a
 * partner presents without ever storing or indexing the token itself.
 */
export class TokenCipher {
  private readonly encryptionKey: Buffer;
  private readonly lookupKey: Buffer;

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64');
    if (key.length !== 32) throw new Error('token encryption key must be 32 bytes');
    this.encryptionKey = createHmac('sha256', key).update('voltmesh/token-encryption').digest();
    this.lookupKey = createHmac('sha256', key).update('voltmesh/token-lookup').digest();
  }

  /** `v1.<iv>.<tag>.<ciphertext>`, all Base64url. */
  encrypt(token: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const ciphertext = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined) throw new Error('unreadable sealed token');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }

  lookupHash(token: string): string {
    return createHmac('sha256', this.lookupKey).update(token, 'utf8').digest('base64url');
  }
}

/** A fresh credentials token: 32 random bytes, Base64url (43 printable ASCII characters ≤ 64). */
export function mintCredentialsToken(): string {
  return randomBytes(32).toString('base64url');
}
