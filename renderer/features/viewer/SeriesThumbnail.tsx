/** A series in the viewer's side list: its first image drawn small, its number, description and image count. */
import { useEffect, useRef } from 'react';
import { utilities } from '@cornerstonejs/core';
import type { ViewerSeries } from '../../../shared/viewer/viewer-types';
import { imageIdsFor } from './cornerstone';

export function frameCount(series: ViewerSeries): number {
  return series.instances.reduce((sum, instance) => sum + Math.max(1, instance.frames ?? 1), 0);
}

export function SeriesThumbnail({ sessionId, series, selected, onSelect }: { readonly sessionId: string; readonly series: ViewerSeries; readonly selected: boolean; readonly onSelect: () => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const target = canvas.current;
    const first = imageIdsFor(sessionId, series.instances.slice(0, 1))[0];
    if (target === null || first === undefined) return;
    // A thumbnail that fails stays dark: the viewport says why when the series is opened.
    utilities.loadImageToCanvas({ canvas: target, imageId: first, thumbnail: true }).catch(() => undefined);
  }, [sessionId, series]);
  const frames = frameCount(series);
  const name = `Series ${series.seriesNumber ?? '–'} ${series.description ?? ''}`.trim();
  return (
    <button type="button" className={`viewer-thumb${selected ? ' selected' : ''}`} aria-pressed={selected} aria-label={`${name}, ${frames} ${frames === 1 ? 'image' : 'images'}`} onClick={onSelect}>
      <canvas ref={canvas} width={96} height={96} aria-hidden="true" />
      <span className="viewer-thumb-text">
        <span>{name}</span>
        <span className="muted">
          {series.modality ?? ''} · {frames} {frames === 1 ? 'image' : 'images'}
        </span>
      </span>
    </button>
  );
}
