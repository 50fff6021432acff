/** How a comment's place reads on screen ("Image 7 · frame 2 · W 400 / L 40"), and which scroll-bar markers comments make. */
import type { CommentItem } from '../../../shared/comments/comment-schemas';
import type { ViewerAnchor, ViewerMarker } from '../../../shared/viewer/viewer-anchor';

export function anchorWords(anchor: ViewerAnchor | null, imageNumber?: (sop: string) => number | null): string {
  if (anchor === null) return 'Whole study';
  const parts: string[] = [];
  if (anchor.sopInstanceUid !== undefined) {
    const n = imageNumber?.(anchor.sopInstanceUid) ?? null;
    parts.push(n === null ? 'One image' : `Image ${n}`);
    if (anchor.frame !== undefined && anchor.frame > 1) parts.push(`frame ${anchor.frame}`);
  } else if (anchor.seriesInstanceUid !== undefined) parts.push('One series');
  else parts.push('Whole study');
  if (anchor.viewport !== undefined) parts.push(`W ${Math.round(anchor.viewport.windowWidth)} / L ${Math.round(anchor.viewport.windowCenter)}`);
  return parts.join(' · ');
}

/** One marker per image that has comments (standing ones), labelled with how many. */
export function commentMarkers(comments: readonly CommentItem[]): ViewerMarker[] {
  const byPlace = new Map<string, { marker: Omit<ViewerMarker, 'label'>; count: number }>();
  for (const comment of comments) {
    const anchor = comment.anchor;
    if (anchor?.sopInstanceUid === undefined || anchor.seriesInstanceUid === undefined || comment.deletedAt !== null) continue;
    const key = `${anchor.sopInstanceUid}|${anchor.frame ?? 1}`;
    const entry = byPlace.get(key) ?? { marker: { seriesInstanceUid: anchor.seriesInstanceUid, sopInstanceUid: anchor.sopInstanceUid, frame: anchor.frame }, count: 0 };
    entry.count++;
    byPlace.set(key, entry);
  }
  return [...byPlace.values()].map(({ marker, count }) => ({ ...marker, label: count === 1 ? '1 comment' : `${count} comments` }));
}
