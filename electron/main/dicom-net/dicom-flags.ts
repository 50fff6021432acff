/**
 * `--dicom-port <n>` and `--ae-title <AE>` on `npm start` / `npm run start:browser`: scripts/start.ts
 * checks them and hands them to the app (Electron or browser mode alike) as
 * STUDYSHARE_DICOM_PORT and STUDYSHARE_AE_TITLE; the listener then runs with them for this run,
 * whatever Settings say. A bad value stops the start with a sentence, never a silent default.
 */
export interface DicomFlags {
  readonly port?: number;
  readonly aeTitle?: string;
}

const AE_TITLE = /^[\x20-\x5b\x5d-\x7e]{1,16}$/;

export function parseDicomPort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--dicom-port needs a port from 1 to 65535, not "${text}".`);
  return port;
}

export function parseAeTitle(text: string): string {
  const title = text.trim();
  if (!AE_TITLE.test(title)) throw new Error(`--ae-title needs 1 to 16 letters, digits or symbols without a backslash, not "${text}".`);
  return title;
}

export function dicomFlagsFromEnvironment(env: Readonly<Record<string, string | undefined>>): DicomFlags {
  const port = env.STUDYSHARE_DICOM_PORT;
  const aeTitle = env.STUDYSHARE_AE_TITLE;
  return {
    ...(port === undefined || port === '' ? {} : { port: parseDicomPort(port) }),
    ...(aeTitle === undefined || aeTitle === '' ? {} : { aeTitle: parseAeTitle(aeTitle) }),
  };
}

/** Takes the two flags out of an argument list (for start.ts); the rest goes to the app. */
export function takeDicomFlags(args: readonly string[]): { readonly flags: DicomFlags; readonly rest: readonly string[] } {
  const rest: string[] = [];
  let port: number | undefined;
  let aeTitle: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (name !== '--dicom-port' && name !== '--ae-title') {
      rest.push(arg);
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new Error(`${name} needs a value.`);
    if (name === '--dicom-port') port = parseDicomPort(value);
    else aeTitle = parseAeTitle(value);
  }
  return { flags: { ...(port === undefined ? {} : { port }), ...(aeTitle === undefined ? {} : { aeTitle }) }, rest };
}
