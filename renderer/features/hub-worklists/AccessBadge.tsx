/**
 * Why a hub study is in the list when it was not shared with the user: "Department" (a fellow
 * member of their department uploaded it and the site's policy counts departments) or
 * "Collection" (it is in a collection they belong to), or "De-identified" (a department
 * colleague's study seen de-identified, where the site's policy says so). The reason is the hub's, from the one
 * visibility function (shared/permissions/visibility.ts); other reasons need no badge.
 */
const BADGES: Readonly<Record<string, { readonly text: string; readonly title: string }>> = {
  department: { text: 'Department', title: 'Visible because a member of your department uploaded it' },
  collection: { text: 'Collection', title: 'Visible because it is in a collection you belong to' },
  // Visibility rule 14: names, IDs, dates and UIDs replaced by the hub; viewing only.
  'department-deidentified': { text: 'De-identified', title: 'A department colleague’s study, shown de-identified: you may view it only' },
};

export function accessBadgeText(reason: string | null | undefined): string | null {
  return reason === null || reason === undefined ? null : (BADGES[reason]?.text ?? null);
}

export function AccessBadge({ reason }: { readonly reason: string | null | undefined }) {
  const badge = reason === null || reason === undefined ? undefined : BADGES[reason];
  if (badge === undefined) return null;
  return (
    <span className="tag access-badge" title={badge.title}>
      {badge.text}
    </span>
  );
}
