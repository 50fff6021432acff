import { formatCount } from '../lib/format';

/** What the hub refused for a batch of studies: one line per reason, with how many studies it stopped. */
export function RefusalList({ refused, label }: { readonly refused: readonly { readonly reason: string }[]; readonly label?: string }) {
  if (refused.length === 0) return null;
  const counts = new Map<string, number>();
  for (const { reason } of refused) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return (
    <ul className="refusals" aria-label={label}>
      {[...counts].map(([reason, count]) => (
        <li key={reason} className="error-text">
          {reason} ({formatCount(count)})
        </li>
      ))}
    </ul>
  );
}
