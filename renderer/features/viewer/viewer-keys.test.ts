import { describe, expect, it } from 'vitest';
import { commandForKey, KEY_BINDINGS, nearestSlice, voiRange, windowOf, WINDOW_PRESETS } from './viewer-keys';

describe('viewer keys and presets', () => {
  it('maps each key to one command, whatever the case of a letter', () => {
    expect(commandForKey('ArrowDown')).toEqual({ kind: 'step', by: 1 });
    expect(commandForKey('I')).toEqual({ kind: 'invert' });
    expect(commandForKey('2')).toMatchObject({ kind: 'preset', preset: { id: 'lung' } });
    expect(commandForKey('x')).toBeNull();
    const keys = KEY_BINDINGS.flatMap((binding) => binding.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('turns width/centre into a VOI range and back', () => {
    for (const preset of WINDOW_PRESETS) expect(windowOf(voiRange(preset.width, preset.center))).toEqual({ width: preset.width, center: preset.center });
    expect(voiRange(400, 40)).toEqual({ lower: -160, upper: 240 });
  });

  it('finds the nearest slice by position, else the same fraction of the stack', () => {
    expect(nearestSlice([0, 5, 10, 15], 11, 0)).toBe(2);
    expect(nearestSlice([null, null, null], 3, 0.5)).toBe(1);
    expect(nearestSlice([0, 5], null, 1)).toBe(1);
    expect(nearestSlice([], 1, 0)).toBe(0);
  });
});
