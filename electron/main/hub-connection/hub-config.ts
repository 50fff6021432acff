/**
 * Which hub this desktop uses, kept in `<data>/hub.json`: none chosen yet (first run), the hub
 * inside this app (its port, whether it listens on the local network, its public address), a
 * remote hub (its address and, for a LAN hub with a self-signed certificate, the one certificate
 * the user chose to trust), or none (local index only). A file that cannot be read is treated
 * as "not chosen": the first-run screen asks again rather than guess.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parsePublicUrl } from '../../../shared/hub-info';

const url = z.string().refine((text) => parsePublicUrl(text).ok);

export const embeddedSettingsSchema = z.object({
  /** Chosen once, at the first start, and kept: links and invitations name it. */
  port: z.number().int().min(1).max(65_535).optional(),
  /** Listen on the local network too (off: loopback only). */
  lan: z.boolean().default(false),
  /** What links and invitations point to; null: this computer's loopback address. */
  publicUrl: url.nullable().default(null),
});
export type EmbeddedSettings = z.infer<typeof embeddedSettingsSchema>;

const configSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('embedded'), embedded: embeddedSettingsSchema.default({ lan: false, publicUrl: null }) }),
  z.object({ mode: z.literal('remote'), url, trustedFingerprint: z.string().nullable().default(null), embedded: embeddedSettingsSchema.optional() }),
  z.object({ mode: z.literal('off'), embedded: embeddedSettingsSchema.optional() }),
]);
export type HubConfig = z.infer<typeof configSchema>;

export class HubConfigFile {
  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return path.join(this.dataDir, 'hub.json');
  }

  /** The saved choice, or null on first run (or when the file is unreadable). */
  read(): HubConfig | null {
    if (!existsSync(this.file)) return null;
    try {
      const parsed = configSchema.safeParse(JSON.parse(readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Written whole through a temporary file, so a crash leaves the old choice or the new one. */
  write(config: HubConfig): void {
    const temp = `${this.file}.partial`;
    writeFileSync(temp, JSON.stringify(config, null, 2), { mode: 0o600 });
    renameSync(temp, this.file);
  }
}
