/** The hub's audit filter as a query string: only the filters that are set. */
export function auditQueryString(filter: Readonly<Record<string, string | number | undefined>>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filter)) if (value !== undefined && value !== '') params.set(key, String(value));
  return params.toString();
}
