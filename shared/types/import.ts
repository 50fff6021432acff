/** What an import reports, as the CLI prints it and the UI shows it. */

export interface ImportFileFailure {
  readonly path: string;
  /** A sentence a person at the workstation understands. */
  readonly reason: string;
  readonly code: string;
}

export interface ImportSummary {
  readonly filesSeen: number;
  readonly imported: number;
  readonly duplicates: number;
  /** Unchanged since a previous import, so not read again. */
  readonly unchanged: number;
  readonly dicomdirs: number;
  readonly errors: readonly ImportFileFailure[];
  /** Distinct studies, series and instances the imported files belong to. */
  readonly studies: number;
  readonly series: number;
  readonly instances: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly cancelled: boolean;
}

export interface ImportProgress {
  readonly filesSeen: number;
  readonly filesDone: number;
  /** Null while the folder walk is still counting. */
  readonly filesTotal: number | null;
  readonly imported: number;
  readonly duplicates: number;
  readonly unchanged: number;
  readonly errors: number;
}
