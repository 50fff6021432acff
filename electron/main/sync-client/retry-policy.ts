/**
 * When a queued operation or file is tried again after a failure worth retrying (the hub
 * unreachable, a 5xx, a cut upload): exponential backoff with jitter, capped, so a hub that is
 * back is found soon and a hub that stays broken is not hammered by every desktop in step. Never
 * "give up": a recoverable error is retried for as long as it takes; only a refusal of the item
 * itself (a 4xx that says it is wrong) ends its tries.
 */
export interface Backoff {
  /** The first wait. */
  readonly baseMs: number;
  /** The longest wait. */
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 2_000, capMs: 5 * 60_000 };

/** The wait before the next try after `failures` failures in a row (1 = the first failure): full jitter over the upper half. */
export function backoffDelay(failures: number, backoff: Backoff = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(Math.max(failures - 1, 0), 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
