/**
 * "For": which physician a case manager acts for in a change (issue 14). Shown only to someone
 * who acts for several physicians; the default leaves it to the hub, which records the physician
 * on the study (server/physicians/acting-for.ts). The hub refuses a doctor who is not on the study
 * or not theirs, with why.
 */
import { useMyPhysicians } from './physicians-store';

export function ActingForSelect({ value, onChange }: { readonly value: string; readonly onChange: (physicianId: string) => void }) {
  const actsFor = useMyPhysicians((s) => s.actsFor);
  if (actsFor.length < 2) return null;
  return (
    <label className="inline acting-for">
      <span>For</span>
      <select aria-label="Acting for" value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">The physician on the study</option>
        {actsFor.map((physician) => (
          <option key={physician.physicianId} value={physician.physicianId}>
            {physician.displayName}
          </option>
        ))}
      </select>
    </label>
  );
}
