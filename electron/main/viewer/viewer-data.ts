/**
 * How a transport finds the viewer's byte server for a set of handlers: the loopback HTTP server
 * (browser mode) and the app:// protocol (Electron) both answer `/viewer-data/<session>/<key>`
 * with it. Kept beside the handlers (a WeakMap keyed by them) so that every transport already
 * handed the handlers gets it without a new parameter, as the call gate travels with them.
 */
import type { Handlers } from '../api/dispatch';
import type { ViewerDataAnswer } from './viewer-service';

export type ViewerDataServer = (pathAfterPrefix: string) => Promise<ViewerDataAnswer>;

const servers = new WeakMap<object, ViewerDataServer>();

export function registerViewerData(handlers: Handlers, server: ViewerDataServer): void {
  servers.set(handlers, server);
}

export function viewerDataFor(handlers: Handlers): ViewerDataServer | null {
  return servers.get(handlers) ?? null;
}

/** Headers of a viewer answer: DICOM bytes are never to be sniffed or cached (patient data). */
export const VIEWER_DATA_TYPE = 'application/dicom';
