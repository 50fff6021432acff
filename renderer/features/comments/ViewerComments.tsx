/**
 * The comments panel beside the viewer (mounted in ViewerView's side-panel slot): a new comment
 * takes the viewer's present place (series, image, frame, window, zoom, pan); clicking one opens
 * the viewer there; every image with comments gets a marker on the scroll bar.
 */
import { useCallback, useEffect, useState } from 'react';
import type { CommentItem } from '../../../shared/comments/comment-schemas';
import type { ViewerAnchor } from '../../../shared/viewer/viewer-anchor';
import { api } from '../../lib/api';
import { useHub } from '../hub/hub-store';
import { useViewer } from '../viewer/viewer-store';
import { commentMarkers } from './anchor-words';
import { CommentsPanel } from './CommentsPanel';

export function ViewerComments() {
  const opening = useViewer((s) => s.opening);
  const study = useViewer((s) => s.study);
  const signedIn = useHub((s) => s.status?.user != null);
  const [version, setVersion] = useState(0);
  // A sync pulled (the change feed announced new comments): read them again.
  useEffect(() => api.on('data:changed', () => setVersion((v) => v + 1)), []);
  useEffect(() => () => useViewer.getState().setMarkers([]), []);
  const onComments = useCallback((comments: readonly CommentItem[]) => useViewer.getState().setMarkers(commentMarkers(comments)), []);
  const imageNumber = useCallback(
    (sop: string): number | null => {
      for (const series of study?.series ?? []) {
        const index = series.instances.findIndex((instance) => instance.sopInstanceUid === sop);
        if (index >= 0) return index + 1;
      }
      return null;
    },
    [study],
  );
  // Comments live on the hub: with nobody signed in there is nothing to show or write.
  if (!signedIn || opening === null || study === null) return null;
  const open = (anchor: ViewerAnchor) => void useViewer.getState().open(opening, anchor);
  return (
    <aside className="viewer-side-panel" aria-label="Comments on this study">
      <CommentsPanel study={opening} version={version} currentAnchor={() => useViewer.getState().currentAnchor()} openAnchor={open} imageNumber={imageNumber} onComments={onComments} />
    </aside>
  );
}
