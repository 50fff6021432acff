/* A .tsx file so it is checked with the browser's types (tsconfig.web.json), like the rest of the guest page's script. */
/** The guest's link token (from the address) and viewing session, and the one way the page calls the hub with them. */
export interface GuestSeries {
  readonly studyId: string;
  readonly seriesUid: string;
  readonly number: number | null;
  readonly description: string | null;
  readonly modality: string | null;
  readonly instances: readonly { readonly sop: string; readonly number: number | null }[];
}

export interface Opened {
  readonly session: string;
  readonly allowDownload: boolean;
  readonly note?: string | null;
  readonly studies: readonly { readonly summary?: { readonly studyDescription?: string | null; readonly studyDate?: string | null } }[];
}

export const token = location.pathname.split('/')[2] ?? '';
let session: string | null = null;

export function setSession(value: string): void {
  session = value;
}

/** The guest-session header the hub checks on every request after opening (the loader sends it too). */
export function sessionHeaders(): Record<string, string> {
  return session === null ? {} : { 'x-guest-session': session };
}

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`/g/${token}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...sessionHeaders() } });
}
