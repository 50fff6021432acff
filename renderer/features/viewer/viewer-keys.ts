/**
 * The viewer's presets and keys, spelled once: the toolbar, the key handler and the `?` help
 * overlay all read them. Window/level presets are the usual CT ones (width/centre in HU).
 */

export interface WindowPreset {
  readonly id: string;
  readonly label: string;
  readonly width: number;
  readonly center: number;
  /** The digit key that applies it. */
  readonly key: string;
}

export const WINDOW_PRESETS: readonly WindowPreset[] = [
  { id: 'soft-tissue', label: 'CT soft tissue', width: 400, center: 40, key: '1' },
  { id: 'lung', label: 'CT lung', width: 1500, center: -600, key: '2' },
  { id: 'bone', label: 'CT bone', width: 2000, center: 300, key: '3' },
  { id: 'brain', label: 'CT brain', width: 80, center: 40, key: '4' },
];

/** A width/centre as Cornerstone's VOI range (lower, upper), DICOM's linear function (PS3.3 C.11.2.1.2). */
export function voiRange(width: number, center: number): { lower: number; upper: number } {
  return { lower: center - width / 2, upper: center + width / 2 };
}

/** The width/centre of a VOI range (the overlay's W/L). */
export function windowOf(range: { lower: number; upper: number }): { width: number; center: number } {
  return { width: range.upper - range.lower, center: (range.upper + range.lower) / 2 };
}

export type ViewerTool = 'window' | 'pan' | 'zoom' | 'scroll' | 'length' | 'angle';

export const TOOL_LABELS: Readonly<Record<ViewerTool, string>> = {
  window: 'Window/level',
  pan: 'Pan',
  zoom: 'Zoom',
  scroll: 'Scroll',
  length: 'Length (mm)',
  angle: 'Angle',
};

export type ViewerCommand =
  | { readonly kind: 'step'; readonly by: number; /** A held key's repeat (KeyboardEvent.repeat): waits for the image in hand to be drawn. */ readonly held?: boolean }
  | { readonly kind: 'first' }
  | { readonly kind: 'last' }
  | { readonly kind: 'series'; readonly by: number }
  | { readonly kind: 'tool'; readonly tool: ViewerTool }
  | { readonly kind: 'preset'; readonly preset: WindowPreset }
  | { readonly kind: 'file-window' }
  | { readonly kind: 'fit' }
  | { readonly kind: 'invert' }
  | { readonly kind: 'rotate' }
  | { readonly kind: 'flip' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'cine' }
  | { readonly kind: 'overlay' }
  | { readonly kind: 'layout' }
  | { readonly kind: 'help' }
  | { readonly kind: 'close' };

/** What each key does, in the order the help lists them. */
export const KEY_BINDINGS: readonly { readonly keys: readonly string[]; readonly label: string; readonly command: ViewerCommand }[] = [
  { keys: ['ArrowDown', 'ArrowRight'], label: 'Next image', command: { kind: 'step', by: 1 } },
  { keys: ['ArrowUp', 'ArrowLeft'], label: 'Previous image', command: { kind: 'step', by: -1 } },
  { keys: ['PageDown'], label: '10 images on', command: { kind: 'step', by: 10 } },
  { keys: ['PageUp'], label: '10 images back', command: { kind: 'step', by: -10 } },
  { keys: ['Home'], label: 'First image', command: { kind: 'first' } },
  { keys: ['End'], label: 'Last image', command: { kind: 'last' } },
  { keys: ['n'], label: 'Next series', command: { kind: 'series', by: 1 } },
  { keys: ['p'], label: 'Previous series', command: { kind: 'series', by: -1 } },
  { keys: ['w'], label: 'Window/level tool (drag)', command: { kind: 'tool', tool: 'window' } },
  { keys: ['m'], label: 'Pan tool (drag)', command: { kind: 'tool', tool: 'pan' } },
  { keys: ['z'], label: 'Zoom tool (drag)', command: { kind: 'tool', tool: 'zoom' } },
  { keys: ['s'], label: 'Scroll tool (drag)', command: { kind: 'tool', tool: 'scroll' } },
  { keys: ['l'], label: 'Length measurement (mm)', command: { kind: 'tool', tool: 'length' } },
  { keys: ['a'], label: 'Angle measurement', command: { kind: 'tool', tool: 'angle' } },
  ...WINDOW_PRESETS.map((preset) => ({ keys: [preset.key], label: `${preset.label} (W ${preset.width} / L ${preset.center})`, command: { kind: 'preset', preset } as const })),
  { keys: ['0'], label: 'The file’s own window', command: { kind: 'file-window' } },
  { keys: ['f'], label: 'Fit to window', command: { kind: 'fit' } },
  { keys: ['i'], label: 'Invert', command: { kind: 'invert' } },
  { keys: ['r'], label: 'Rotate 90°', command: { kind: 'rotate' } },
  { keys: ['h'], label: 'Flip horizontally', command: { kind: 'flip' } },
  { keys: ['Backspace'], label: 'Reset view', command: { kind: 'reset' } },
  { keys: [' '], label: 'Play / stop cine', command: { kind: 'cine' } },
  { keys: ['o'], label: 'Show / hide overlay', command: { kind: 'overlay' } },
  { keys: ['c'], label: 'Compare with a prior (1×2)', command: { kind: 'layout' } },
  { keys: ['?'], label: 'This help', command: { kind: 'help' } },
  { keys: ['Escape'], label: 'Close help, then the viewer', command: { kind: 'close' } },
];

export function commandForKey(key: string): ViewerCommand | null {
  const lower = key.length === 1 ? key.toLowerCase() : key;
  return KEY_BINDINGS.find((binding) => binding.keys.includes(lower) || binding.keys.includes(key))?.command ?? null;
}

export const KEY_NAMES: Readonly<Record<string, string>> = {
  ArrowDown: '↓',
  ArrowUp: '↑',
  ArrowLeft: '←',
  ArrowRight: '→',
  ' ': 'Space',
  Escape: 'Esc',
};

/** The image a synchronised viewport shows for a position: the nearest slice, or the same fraction of the stack without positions. */
export function nearestSlice(positions: readonly (number | null)[], target: number | null, fraction: number): number {
  if (positions.length === 0) return 0;
  if (target !== null && positions.some((p) => p !== null)) {
    let best = 0;
    let distance = Infinity;
    positions.forEach((p, index) => {
      if (p !== null && Math.abs(p - target) < distance) {
        distance = Math.abs(p - target);
        best = index;
      }
    });
    return best;
  }
  return Math.min(positions.length - 1, Math.max(0, Math.round(fraction * (positions.length - 1))));
}
