/** The two one-line messages every screen uses: an error (announced at once) and a notice. */
export function ErrorMessage({ message }: { readonly message: string | null }) {
  if (message === null) return null;
  return (
    <p role="alert" className="error-text">
      {message}
    </p>
  );
}

export function Notice({ message }: { readonly message: string | null }) {
  if (message === null) return null;
  return (
    <p role="status" className="muted">
      {message}
    </p>
  );
}
