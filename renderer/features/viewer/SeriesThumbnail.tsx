/** A series in the viewer's side list: its first image drawn small, its number, description and image count. */
import { useEffect, useRef, useState } from 'react';
import { imageLoader, utilities } from '@cornerstonejs/core';
import { imageProblem } from './image-checks';
import type { ViewerSeries } from '../../../shared/viewer/viewer-types';
import { imageIdsFor } from './cornerstone';

export function frameCount(series: ViewerSeries): number {
  return series.instances.reduce((sum, instance) => sum + Math.max(1, instance.frames ?? 1), 0);
}

export function SeriesThumbnail({ sessionId, series, selected, onSelect }: { readonly sessionId: string; readonly series: ViewerSeries; readonly selected: boolean; readonly onSelect: () => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const target = canvas.current;
    const first = imageIdsFor(sessionId, series.instances.slice(0, 1))[0];
    if (target === null || first === undefined) return;
    // Loaded and checked before it is drawn (a damaged image must not draw another's pixels);
    // a thumbnail that fails is marked, and the viewport says why when the series is opened.
    let current = true;
    imageLoader
      .loadAndCacheImage(first)
      .then(() => {
        if (!current) return;
        if (imageProblem(first) !== null) setFailed(true);
        else void utilities.loadImageToCanvas({ canvas: target, imageId: first, thumbnail: true }).catch(() => current && setFailed(true));
      })
      .catch(() => current && setFailed(true));
    return () => {
      current = false;
    };
  }, [sessionId, series]);
  const frames = frameCount(series);
  const name = `Series ${series.seriesNumber ?? '–'} ${series.description ?? ''}`.trim();
  return (
    <button type="button" className={`viewer-thumb${selected ? ' selected' : ''}`} aria-pressed={selected} aria-label={`${name}, ${frames} ${frames === 1 ? 'image' : 'images'}`} onClick={onSelect}>
      <span className="viewer-thumb-image">
        <canvas ref={canvas} width={96} height={96} aria-hidden="true" hidden={failed} />
        {failed && <span className="viewer-thumb-failed">Cannot be shown</span>}
      </span>
      <span className="viewer-thumb-text">
        <span>{name}</span>
        <span className="muted">
          {series.modality ?? ''} · {frames} {frames === 1 ? 'image' : 'images'}
        </span>
      </span>
    </button>
  );
}
