/**
 * The stack's scroll bar down the viewport's right edge: where the image showing sits in the
 * series, a click on the track goes there, and markers (where comments sit) are ticks a reader
 * can click or reach by Tab, each named by its label and image number.
 */
import type { ViewerMarker } from '../../../shared/viewer/viewer-anchor';
import { indexOfPlace, type StackPlace } from './stack-places';

export interface StackScrollBarProps {
  /** The viewport's name, to name the bar ("Current study: image position"). */
  readonly label: string;
  readonly index: number;
  readonly count: number;
  readonly places: readonly StackPlace[];
  readonly markers: readonly ViewerMarker[];
  readonly onGo: (index: number) => void;
}

/** Top of image `index` along the bar, in percent (the last image sits at the bottom). */
const at = (index: number, count: number): number => (count <= 1 ? 0 : (index / (count - 1)) * 100);

export function StackScrollBar({ label, index, count, places, markers, onGo }: StackScrollBarProps) {
  if (count <= 1 && markers.length === 0) return null;
  const ticks = markers.flatMap((marker) => {
    const target = indexOfPlace(places, marker.sopInstanceUid, marker.frame);
    return target === null ? [] : [{ marker, target }];
  });
  return (
    <div className="viewer-scrollbar">
      <div
        className="viewer-scrollbar-track"
        role="scrollbar"
        aria-label={`${label}: image position`}
        aria-orientation="vertical"
        aria-valuemin={1}
        aria-valuemax={Math.max(1, count)}
        aria-valuenow={Math.min(count, index + 1)}
        aria-valuetext={`Image ${index + 1} of ${count}`}
        onMouseDown={(event) => {
          // A click on the track (not on a tick) goes to the image at that height.
          if (event.target !== event.currentTarget || count <= 1) return;
          const box = event.currentTarget.getBoundingClientRect();
          const fraction = Math.min(1, Math.max(0, (event.clientY - box.top) / Math.max(1, box.height)));
          onGo(Math.round(fraction * (count - 1)));
        }}
      >
        <div className="viewer-scrollbar-thumb" style={{ top: `${at(index, count)}%` }} aria-hidden="true" />
        {ticks.map(({ marker, target }) => (
          <button
            key={`${marker.sopInstanceUid}-${marker.frame ?? 0}-${marker.label}`}
            type="button"
            className={`viewer-scrollbar-tick${target === index ? ' current' : ''}`}
            style={{ top: `${at(target, count)}%` }}
            aria-label={`${marker.label}, image ${target + 1}`}
            title={`${marker.label} (image ${target + 1})`}
            onMouseDown={(event) => event.stopPropagation()}
            onClick={() => onGo(target)}
          />
        ))}
      </div>
    </div>
  );
}
