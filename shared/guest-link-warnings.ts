/**
 * What a guest link's creator is warned of before and after making it: the one sentence the
 * dialog shows when the option is chosen and the hub answers when the link is made, so both say
 * the same. Warned, not blocked: a site may have its reasons (a patient collecting their own
 * images), but the choice must be made knowing what it means.
 */

export type GuestLinkProtectionKind = 'none' | 'pin' | 'birth-date';

export const BIRTH_DATE_ONLY_WARNING =
  'The patient’s date of birth is the only secret of this link: anyone who knows it — a relative, a colleague, whoever sees a letter or a record with it — can open the images. Prefer a PIN that you give the recipient separately.';

/** The warnings for a link protected this way (none for a PIN). */
export function guestLinkWarnings(protection: GuestLinkProtectionKind): readonly string[] {
  return protection === 'birth-date' ? [BIRTH_DATE_ONLY_WARNING] : [];
}
