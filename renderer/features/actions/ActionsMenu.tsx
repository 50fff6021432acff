/**
 * The Actions button and its menu, acting on the selection. Items that do not apply are shown
 * disabled rather than hidden, so the menu does not jump around — except those a role does not
 * permit at all (Share, Create guest link), which are absent.
 */
import { useEffect, useRef, useState } from 'react';
import { useGuestLinks } from '../guest-links/guest-link-store';
import { hasPermission, useHub } from '../hub/hub-store';
import { useImport } from '../import/import-store';
import { permittedShareOptions, useShareDialog } from '../sharing/share-store';
import type { WorklistStore } from '../worklist/worklist-store';
import { useViewer } from '../viewer/viewer-store';
import { usePrivateStudies } from '../organisation/private-store';
import { useCollections } from '../collections/collections-store';
import { useView } from '../sidebar/view-store';
import { rowAt } from '../worklist/worklist-store';
import { useDicom } from '../dicom-net/dicom-store';
import { useDownloads } from '../hub-worklists/download-store';
import { useAddPhysician } from '../physicians/add-physician-store';

interface Item {
  readonly label: string;
  readonly disabled: boolean;
  readonly run: () => void;
  /** Why it is disabled, when that is not plain (shown as the item's title). */
  readonly why?: string;
}

/** Actions refused on a study seen de-identified (visibility rule 14: viewing only). */
const REFUSED_WHEN_DEIDENTIFIED = /^(Share|Make|Unmark|Add to collection|Remove from|Download|Add physician|Create guest link|Send)/;
const DEIDENTIFIED_WHY = 'A de-identified study may only be viewed: your site shows department colleagues’ studies de-identified.';

/** `store`: the worklist showing (local or a hub worklist), whose selection the items act on. */
export function ActionsMenu({ view, store }: { readonly view: 'worklist' | 'hub' | 'admin'; readonly store: WorklistStore }) {
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const selected = store((s) => s.selected);
  const focus = store((s) => s.focus);
  const { openDetails, selectAllLoaded, clearSelection } = store.getState();
  const rows = [...selected.values()];
  const uids = rows.map((row) => row.study.studyInstanceUid);
  // Shown only to roles that may create guest links (and only once signed in to a hub).
  const canGuestLink = useHub((s) => hasPermission(s.status, 'studies.guest-links'));
  // Share is there when the role permits at least one way to share.
  const canShare = useHub((s) => permittedShareOptions(s.status?.user?.permissions ?? []).length > 0);
  // Hub studies are named by their hub id (they need not be in this computer's index).
  const shareRefs = rows.map((row) => (row.hub === null ? { uid: row.study.studyInstanceUid } : { hubId: row.hub.studyId }));
  // Guest links are made from studies in this computer's index.
  const localUids = rows.filter((row) => row.hub === null).map((row) => row.study.studyInstanceUid);

  // Make private / Unmark as private: for those holding studies.private (the hub checks the rest:
  // an admin, or the uploader where the site allows).
  const canMarkPrivate = useHub((s) => hasPermission(s.status, 'studies.private'));
  const anyPrivate = rows.some((row) => row.hub?.private === true);
  const anyNotPrivate = rows.some((row) => row.hub?.private !== true);
  const markPrivate = (makePrivate: boolean) => void usePrivateStudies.getState().setPrivate(shareRefs, makePrivate, () => store.getState().refresh());

  // Collections: add to one where the user may add (or make one); inside a collection, take out and manage.
  const signedIn = useHub((s) => s.status?.user != null);
  const mayCreateCollection = useHub((s) => hasPermission(s.status, 'collections.create'));
  const mayAddSomewhere = useCollections((s) => s.collections.some((c) => c.rights.includes('add')));
  const viewId = useView((s) => (s.view === 'hub' ? (s.hubWorklist?.id ?? '') : ''));
  const openCollection = useCollections((s) => (viewId.startsWith('collection:') ? (s.collections.find((c) => `collection:${c.id}` === viewId) ?? null) : null));

  // Open shows the focused study (or the one selected) in the viewer.
  const openRow = useStoreRow(store);
  const anyDeidentified = rows.some((row) => row.hub?.reason === 'department-deidentified');
  const built: Item[] = [
    {
      label: 'Open',
      disabled: openRow === undefined,
      run: () => {
        if (openRow !== undefined) void useViewer.getState().open(openRow.hub === null ? { uid: openRow.study.studyInstanceUid } : { hubId: openRow.hub.studyId });
      },
    },
    ...(canShare && view !== 'admin'
      ? [{ label: shareRefs.length > 1 ? `Share ${shareRefs.length} studies…` : 'Share…', disabled: shareRefs.length === 0 || shareRefs.length > 1000, run: () => useShareDialog.getState().open(shareRefs) }]
      : []),
    ...(canMarkPrivate && view !== 'admin'
      ? [
          { label: shareRefs.length > 1 ? `Make ${shareRefs.length} studies private` : 'Make private', disabled: !anyNotPrivate || shareRefs.length > 1000, run: () => markPrivate(true) },
          { label: 'Unmark as private', disabled: !anyPrivate || shareRefs.length > 1000, run: () => markPrivate(false) },
        ]
      : []),
    ...(signedIn && view !== 'admin' && (mayAddSomewhere || mayCreateCollection)
      ? [{ label: 'Add to collection…', disabled: shareRefs.length === 0 || shareRefs.length > 1000, run: () => useCollections.getState().openDialog({ kind: 'add', studies: shareRefs }) }]
      : []),
    ...(openCollection !== null
      ? [
          ...(openCollection.rights.includes('remove')
            ? [{ label: `Remove from ${openCollection.name}`, disabled: shareRefs.length === 0, run: () => void useCollections.getState().change(openCollection.id, shareRefs, false, () => store.getState().refresh()) }]
            : []),
          { label: 'Manage collection…', disabled: false, run: () => useCollections.getState().openDialog({ kind: 'manage', id: openCollection.id }) },
        ]
      : []),
    // Add physician… (issue 14): an associated physician of the site's directory, through the outbox.
    ...(signedIn && canShare && view !== 'admin'
      ? [{ label: 'Add physician…', disabled: shareRefs.length === 0 || shareRefs.length > 1000, run: () => useAddPhysician.getState().open(shareRefs) }]
      : []),
    // Download… (issue 13): one hub study's zip; the hub says why when its policy refuses.
    ...(signedIn
      ? [{ label: 'Download…', disabled: rows.length !== 1 || rows[0].hub === null, run: () => void useDownloads.getState().start(rows[0].hub!.studyId) }]
      : []),
    { label: 'Show details', disabled: focus === null, run: openDetails },
    {
      label: selected.size > 1 ? `Copy ${selected.size} Study Instance UIDs` : 'Copy Study Instance UID',
      disabled: selected.size === 0,
      run: () => void navigator.clipboard?.writeText(uids.join('\n')),
    },
    ...(canGuestLink
      ? [{ label: 'Create guest link…', disabled: localUids.length === 0 || localUids.length > 20, run: () => useGuestLinks.getState().open(localUids) }]
      : []),
    { label: 'Select all loaded studies', disabled: false, run: selectAllLoaded },
    { label: 'Clear selection', disabled: selected.size === 0, run: clearSelection },
    { label: 'Import folder…', disabled: false, run: () => useImport.getState().openDialog() },
    // DICOM networking (issue 17): local studies go to a PACS; priors and queries come from one.
    ...(view !== 'admin'
      ? [
          { label: localUids.length > 1 ? `Send ${localUids.length} studies to…` : 'Send to…', disabled: localUids.length === 0 || localUids.length > 1000, run: () => useDicom.getState().openSend(localUids) },
          { label: 'Fetch priors…', disabled: localUids.length !== 1, run: () => useDicom.getState().openQuery(localUids[0]) },
          { label: 'Query a PACS…', disabled: false, run: () => useDicom.getState().openQuery() },
        ]
      : []),
  ];
  // A selection holding a de-identified study: what it refuses is disabled, saying why.
  const items = anyDeidentified ? built.map((item) => (REFUSED_WHEN_DEIDENTIFIED.test(item.label) ? { ...item, disabled: true, why: DEIDENTIFIED_WHY } : item)) : built;

  // The first item that can be chosen, read when the menu opens (not a reason to re-run it).
  const firstEnabled = useRef(0);
  useEffect(() => {
    firstEnabled.current = Math.max(0, items.findIndex((item) => !item.disabled));
  });
  useEffect(() => {
    if (!open) return;
    setActive(firstEnabled.current);
    const close = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  useEffect(() => {
    if (open) menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]')[active]?.focus();
  }, [open, active]);

  const finish = (item: Item): void => {
    if (item.disabled) return;
    setOpen(false);
    button.current?.focus();
    item.run();
  };

  return (
    <div className="menu-anchor">
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="actions-menu"
        onClick={() => setOpen(!open)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown') {
            event.preventDefault();
            setOpen(true);
          }
        }}
      >
        Actions
      </button>
      {open && (
        <div
          ref={menu}
          id="actions-menu"
          role="menu"
          aria-label="Actions"
          className="menu"
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              event.stopPropagation();
              setOpen(false);
              button.current?.focus();
            } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
              event.preventDefault();
              const step = event.key === 'ArrowDown' ? 1 : -1;
              setActive((index) => (index + step + items.length) % items.length);
            } else if (event.key === 'Enter' || event.key === ' ') {
              event.preventDefault();
              finish(items[active]);
            }
          }}
        >
          {items.map((item) => (
            <div
              key={item.label}
              role="menuitem"
              tabIndex={-1}
              aria-disabled={item.disabled}
              title={item.why}
              className="menu-item"
              onClick={() => finish(item)}
            >
              {item.label}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

/** The row Open acts on: the focused one, else the only one selected. */
function useStoreRow(store: WorklistStore) {
  return store((s) => (s.focus !== null ? rowAt(s, s.focus) : s.selected.size === 1 ? [...s.selected.values()][0] : undefined));
}
