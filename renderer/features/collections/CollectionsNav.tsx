/**
 * The sidebar's Collections (issue 13): each collection this user is a member of, with its count,
 * opening its studies in the same paged worklist table as a worklist; New collection for those
 * holding collections.create. Reloaded when the signed-in user changes.
 */
import { useEffect } from 'react';
import { formatCount } from '../../lib/format';
import { hasPermission, useHub } from '../hub/hub-store';
import { useHubStudies } from '../hub-worklists/hub-worklist-store';
import { useView } from '../sidebar/view-store';
import { useCollections } from './collections-store';
import { collectionSource, collectionViewId } from './hub-sources';

export function CollectionsNav({ current }: { readonly current: string | null }) {
  const userEmail = useHub((s) => s.status?.user?.email ?? null);
  const mayCreate = useHub((s) => hasPermission(s.status, 'collections.create'));
  const collections = useCollections((s) => s.collections);
  const showHubWorklist = useView((s) => s.showHubWorklist);
  useEffect(() => {
    // The last person's outcome is not the next person's business.
    useCollections.getState().dismiss();
    if (userEmail !== null) void useCollections.getState().load();
  }, [userEmail]);
  if (userEmail === null || (collections.length === 0 && !mayCreate)) return null;
  return (
    <>
      <h2>Collections</h2>
      <ul aria-label="Collections">
        {collections.map((collection) => {
          const viewId = collectionViewId(collection.id);
          const isCurrent = current === viewId;
          return (
            <li key={collection.id}>
              <a
                href={`#${viewId}`}
                aria-current={isCurrent ? 'page' : undefined}
                className={`worklist-link${isCurrent ? ' current' : ''}`}
                onClick={(event) => {
                  event.preventDefault();
                  showHubWorklist({ id: viewId, name: collection.name });
                  useHubStudies.getState().setSource(collectionSource(collection.id, userEmail));
                }}
              >
                <span>{collection.name}</span>
                <span className="badge">{formatCount(collection.studyCount)}</span>
              </a>
            </li>
          );
        })}
      </ul>
      {mayCreate && (
        <button type="button" className="quiet sidebar-action" onClick={() => useCollections.getState().openDialog({ kind: 'new', then: null })}>
          New collection…
        </button>
      )}
    </>
  );
}
