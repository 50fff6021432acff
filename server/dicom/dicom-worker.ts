/**
 * The DICOM worker thread's entry (started by server/dicom/dicom-workers.ts): parses headers
 * sent to it and answers each with the header or why it was refused. A hostile file can make
 * this thread busy or fill its (capped) heap; the hub's event loop goes on serving.
 */
import { parentPort } from 'node:worker_threads';
import { NotDicomError, readDicomHeader } from './parse-header';

export interface HeaderTask {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly complete: boolean;
  readonly last: boolean;
}

export type HeaderAnswer =
  | { readonly id: number; readonly header: ReturnType<typeof readDicomHeader> }
  | { readonly id: number; readonly refusal: { readonly code: NotDicomError['code']; readonly message: string } }
  | { readonly id: number; readonly failure: string };

parentPort?.on('message', ({ id, bytes, complete, last }: HeaderTask) => {
  let answer: HeaderAnswer;
  try {
    answer = { id, header: readDicomHeader(bytes, complete, last) };
  } catch (error) {
    // A refusal crosses as its code and sentence; anything else by its class name only.
    answer = error instanceof NotDicomError ? { id, refusal: { code: error.code, message: error.message } } : { id, failure: error instanceof Error ? error.name : typeof error };
  }
  parentPort!.postMessage(answer);
});
