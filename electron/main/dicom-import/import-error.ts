/** Why one file could not be indexed: a code for programs, a sentence for the person importing. */
export type ImportErrorCode =
  | 'empty-file'
  | 'not-dicom'
  | 'truncated'
  | 'corrupt'
  | 'missing-uid'
  | 'header-too-long'
  | 'deflate-bomb'
  | 'unreadable'
  | 'copy-failed';

export class ImportFileError extends Error {
  constructor(
    readonly code: ImportErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ImportFileError';
  }
}
