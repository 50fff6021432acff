/**
 * What a person reads when their input is refused: the field as words ("Site name", not
 * `siteName`) and what it needs, in one sentence per field. Used by every place that validates
 * with zod at a boundary — the hub's routes and forms, and main's contract calls — so the same
 * mistake reads the same everywhere.
 *
 * Our schemas' own messages are the phrase that completes "<Field> must be …" (lower case:
 * "at least 10 characters", "an email address", "filled in"); a message that starts in capitals
 * is already a sentence (a form's "Enter your name.") or zod's own wording, and is kept as it is.
 */

export interface InputIssue {
  /** Where in the input: property names and array indexes, outermost first. */
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Names whose words alone would mislead or look technical. */
const LABELS: Readonly<Record<string, string>> = {
  url: 'Address',
  publicUrl: 'Public address',
  setupToken: 'Setup code',
  adminName: 'Your name',
  q: 'Search text',
  text: 'Search text',
  studies: 'Studies',
  hubId: 'Study',
  uid: 'Study',
};

/** `siteName` → "Site name"; the last named segment of the path (an index names no field). */
export function fieldLabel(path: readonly PropertyKey[], whole = 'input'): string {
  const key = [...path].reverse().find((segment): segment is string => typeof segment === 'string' && !/^\d+$/.test(segment));
  if (key === undefined) return whole === 'input' ? 'The input' : `The ${whole}`;
  const known = LABELS[key];
  if (known !== undefined) return known;
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** One sentence for one issue. */
export function describeIssue(issue: InputIssue, whole = 'input'): string {
  const label = fieldLabel(issue.path, whole);
  const message = issue.message.trim();
  if (/^[a-z0-9]/.test(message)) return `${label} must be ${message}.`;
  if (/[.!?]$/.test(message)) return message;
  return `${label}: ${message}.`;
}

/** The sentences for all issues, each field once, for a refusal's message. */
export function describeInputIssues(issues: readonly InputIssue[], whole = 'input'): string {
  return [...new Set(issues.map((issue) => describeIssue(issue, whole)))].join(' ');
}
