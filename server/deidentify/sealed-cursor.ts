/**
 * A list page's cursor carries the last row's sort value (study-list.ts). When that row is seen
 * de-identified (visibility rule 14) its value — a patient's name key, ID, date — must not reach
 * the caller: it is sealed with AES-256-GCM under a key drawn from the hub's own
 * (deidentify-key.ts) and opened again when the cursor comes back. A value that does not open
 * (altered, or from another hub) is refused like any foreign cursor.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

const PREFIX = 'sealed:';

function cursorKey(hubKey: Buffer): Buffer {
  return createHmac('sha256', hubKey).update('cursor').digest();
}

export function sealCursorValue(hubKey: Buffer, value: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cursorKey(hubKey), iv);
  const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
}

export function isSealedCursorValue(value: string | number): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** The value sealed, or null when it does not open. */
export function openCursorValue(hubKey: Buffer, value: string): string | null {
  try {
    const bytes = Buffer.from(value.slice(PREFIX.length), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', cursorKey(hubKey), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
}
