/**
 * Where the hub session token lives: in main only, never sent to the renderer. On disk it is
 * encrypted with the platform's keychain where Electron offers one (safeStorage); elsewhere
 * (browser mode, tests) the file is readable by its owner only.
 */
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface TokenCipher {
  encrypt(plain: string): Buffer;
  decrypt(sealed: Buffer): string;
}

export class TokenStore {
  constructor(
    private readonly file: string,
    private readonly cipher: TokenCipher | null = null,
  ) {}

  load(): string | null {
    if (!existsSync(this.file)) return null;
    try {
      const bytes = readFileSync(this.file);
      return this.cipher === null ? bytes.toString('utf8') : this.cipher.decrypt(bytes);
    } catch {
      // A token that cannot be read (another machine's keychain) means: sign in again.
      return null;
    }
  }

  save(token: string | null): void {
    if (token === null) {
      rmSync(this.file, { force: true });
      return;
    }
    writeFileSync(this.file, this.cipher === null ? token : this.cipher.encrypt(token), { mode: 0o600 });
    chmodSync(this.file, 0o600);
  }

  get encrypted(): boolean {
    return this.cipher !== null;
  }
}
