/**
 * The window preset menu, spelled once for the app's viewer and the guest page: the file's own
 * window, then the presets (CT soft tissue, lung, bone, brain). The app's viewer shows each
 * entry's key beside it (its help lists them); the guest page keeps the plain names.
 */
import { WINDOW_PRESETS, type ViewerCommand } from './viewer-keys';

export function WindowPresetSelect({ run, showKeys }: { readonly run: (command: ViewerCommand) => void; readonly showKeys: boolean }) {
  return (
    <select
      aria-label="Window preset"
      value=""
      onChange={(event) => {
        const preset = WINDOW_PRESETS.find((p) => p.id === event.target.value);
        if (preset) run({ kind: 'preset', preset });
        else if (event.target.value === 'file') run({ kind: 'file-window' });
      }}
    >
      <option value="">Window…</option>
      <option value="file">{showKeys ? 'The file’s own (0)' : 'The file’s own'}</option>
      {WINDOW_PRESETS.map((preset) => (
        <option key={preset.id} value={preset.id}>
          {showKeys ? `${preset.label} (${preset.key})` : preset.label}
        </option>
      ))}
    </select>
  );
}
