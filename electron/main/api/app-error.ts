/** An error meant for the person at the workstation: a stable code and a plain sentence. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
