/**
 * How the hub sends mail: through an SMTP server when one is configured, otherwise by writing
 * each message as an .eml file into a mail-drop folder that the hub's administrator can read
 * (and forward, or point a mail system at). Both take the same message.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'drop';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailConfig {
  /** An SMTP address, e.g. smtp://user:pass@mail.example.org:587 (STARTTLS when offered). */
  readonly smtpUrl?: string;
  /** Where messages go when there is no SMTP server. */
  readonly dropDir: string;
  /** The From: address. */
  readonly from?: string;
}

const DEFAULT_FROM = 'Studyshare <no-reply@studyshare.invalid>';

export function createMailer(config: MailConfig): Mailer {
  const from = config.from ?? DEFAULT_FROM;
  if (config.smtpUrl !== undefined && config.smtpUrl !== '') {
    const transport = nodemailer.createTransport(config.smtpUrl);
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
      },
      close: () => transport.close(),
    };
  }
  // The drop folder gets real RFC 5322 messages, built by the same library that speaks SMTP.
  const builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let counter = 0;
  return {
    kind: 'drop',
    async send(message) {
      const info = await builder.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
      mkdirSync(config.dropDir, { recursive: true, mode: 0o700 });
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${++counter}.eml`;
      writeFileSync(path.join(config.dropDir, name), info.message as Buffer, { mode: 0o600 });
    },
    close: () => undefined,
  };
}
