/** Activity reports to main: the first event after a quiet spell goes at once, then at most one per 30 s; undone on stop. */
import { describe, expect, it } from 'vitest';
import { ACTIVITY_REPORT_MS, startActivityReports } from './workstation-store';

function fakeWindow() {
  const listeners = new Map<string, Set<() => void>>();
  return {
    addEventListener: (name: string, listener: () => void) => void (listeners.get(name) ?? listeners.set(name, new Set()).get(name)!).add(listener),
    removeEventListener: (name: string, listener: () => void) => void listeners.get(name)?.delete(listener),
    fire: (name: string) => listeners.get(name)?.forEach((listener) => listener()),
    count: () => [...listeners.values()].reduce((n, set) => n + set.size, 0),
  };
}

describe('activity reports', () => {
  it('reports at most once every 30 seconds, whatever the events', () => {
    const target = fakeWindow();
    let now = 0;
    let reports = 0;
    const stop = startActivityReports(target as unknown as Window, ACTIVITY_REPORT_MS, () => now, () => reports++);
    target.fire('pointermove');
    expect(reports).toBe(1);
    for (now = 1_000; now < 30_000; now += 1_000) target.fire('keydown');
    expect(reports).toBe(1);
    now = 30_000;
    target.fire('wheel');
    expect(reports).toBe(2);
    now = 95_000;
    target.fire('pointerdown');
    expect(reports).toBe(3);
    stop();
    expect(target.count()).toBe(0);
    now = 200_000;
    target.fire('keydown');
    expect(reports).toBe(3);
  });
});
