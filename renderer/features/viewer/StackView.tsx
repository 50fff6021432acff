/**
 * One stack viewport: a series' frames in Cornerstone's StackViewport, scrolled by wheel, keys
 * or drag, with window/level, zoom, pan and the measurements on the mouse, cine, and the
 * four-corner overlay. An image that cannot be shown covers the viewport with why; the other
 * images of the series still show. Commands come from the viewer (toolbar and keys) through the
 * controller registered under the viewport's id.
 */
import { useEffect, useRef, useState } from 'react';
import { cache, eventTarget, metaData, type Types } from '@cornerstonejs/core';
import { AngleTool, Enums as ToolEnums, LengthTool, PanTool, StackScrollTool, ToolGroupManager, utilities as toolUtilities, WindowLevelTool, ZoomTool } from '@cornerstonejs/tools';
import type { ViewerAnchor, ViewerMarker } from '../../../shared/viewer/viewer-anchor';
import type { ViewerSeries, ViewerStudy } from '../../../shared/viewer/viewer-types';
import { controllers } from './viewer-controllers';
import { indexOfPlace, placesFor } from './stack-places';
import { StackScrollBar } from './StackScrollBar';
import { applyViewport, readViewport, relativeZoom } from './viewport-state';
import { CoreEvents, imageIdsFor, renderingEngine, RENDERING_ENGINE_ID, ViewportType } from './cornerstone';
import { describeLoadError } from './load-errors';
import { imageProblem } from './image-checks';
import { framesOf } from './instance-store';
import { voiRange, windowOf, type ViewerCommand, type ViewerTool } from './viewer-keys';

/** The longest a held key's repeat waits for the image before it steps on anyway. */
const HELD_KEY_WAIT_MS = 1_000;

export { controllers, type StackController } from './viewer-controllers';

const PRIMARY = ToolEnums.MouseBindings.Primary;
/** A tool class's registered name (typed `any` in Cornerstone's declarations). */
const nameOf = (tool: { readonly toolName: unknown }): string => tool.toolName as string;
const TOOL_NAMES: Readonly<Record<ViewerTool, string>> = {
  window: nameOf(WindowLevelTool),
  pan: nameOf(PanTool),
  zoom: nameOf(ZoomTool),
  scroll: nameOf(StackScrollTool),
  length: nameOf(LengthTool),
  angle: nameOf(AngleTool),
};

interface OverlayFacts {
  readonly index: number;
  readonly count: number;
  readonly window: { width: number; center: number } | null;
  readonly zoom: number;
  readonly sliceLocation: number | null;
  readonly spacing: string;
  readonly instanceNumber: number | null;
}

export interface StackViewProps {
  readonly viewportId: string;
  readonly study: ViewerStudy;
  readonly series: ViewerSeries;
  readonly tool: ViewerTool;
  readonly fps: number;
  readonly overlay: boolean;
  readonly active: boolean;
  readonly label: string;
  readonly onActivate: () => void;
  /** Another viewport scrolled: this one follows (1×2 comparison). */
  readonly onScrolled?: (viewportId: string) => void;
  /** Where to start (image, frame, viewport state), read once when the series mounts. */
  readonly anchor?: ViewerAnchor | null;
  /** Ticks on the scroll bar; those of other series are not drawn. */
  readonly markers?: readonly ViewerMarker[];
}

const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function positionAlongNormal(imageId: string): number | null {
  const plane = metaData.get('imagePlaneModule', imageId) as { imagePositionPatient?: number[]; rowCosines?: number[]; columnCosines?: number[]; sliceLocation?: number } | undefined;
  const position = plane?.imagePositionPatient;
  const row = plane?.rowCosines;
  const column = plane?.columnCosines;
  if (position && row && column && position.length === 3 && row.length === 3 && column.length === 3) {
    const normal = [row[1] * column[2] - row[2] * column[1], row[2] * column[0] - row[0] * column[2], row[0] * column[1] - row[1] * column[0]];
    return position[0] * normal[0] + position[1] * normal[1] + position[2] * normal[2];
  }
  return num(plane?.sliceLocation);
}

function sameFacts(a: OverlayFacts, b: OverlayFacts): boolean {
  return (
    a.index === b.index &&
    a.count === b.count &&
    a.zoom === b.zoom &&
    a.sliceLocation === b.sliceLocation &&
    a.spacing === b.spacing &&
    a.instanceNumber === b.instanceNumber &&
    a.window?.width === b.window?.width &&
    a.window?.center === b.window?.center
  );
}

export function StackView(props: StackViewProps) {
  const { viewportId, study, series, tool, fps, overlay, active, label, onActivate, onScrolled, markers } = props;
  const element = useRef<HTMLDivElement>(null);
  const [facts, setFacts] = useState<OverlayFacts>({ index: 0, count: 0, window: null, zoom: 1, sliceLocation: null, spacing: '', instanceNumber: null });
  const [error, setError] = useState<string | null>(null);
  const [playing, setPlaying] = useState(false);
  const state = useRef({ index: 0, imageIds: [] as string[], errors: new Map<string, string>(), rendered: 0, rotation: 0, flipped: false, readerVoi: null as Types.VOIRange | null, dragging: false, loadingSince: null as number | null, showToken: 0 });
  const scrolled = useRef(onScrolled);
  scrolled.current = onScrolled;
  // Read once per series: a later anchor change (the reader's own moves) must not jump the view.
  const startAnchor = useRef(props.anchor ?? null);
  startAnchor.current = props.anchor ?? null;
  // Where each image comes from; grows when a multi-frame instance whose frame count main or the
  // hub did not know (a hub study, the guest page) turns out to have several frames.
  const [places, setPlaces] = useState(() => placesFor(series.instances));

  // The viewport and its tools live as long as this series shows here.
  useEffect(() => {
    const host = element.current;
    if (host === null) return;
    const engine = renderingEngine();
    engine.enableElement({ viewportId, type: ViewportType.STACK, element: host, defaultOptions: { background: [0, 0, 0] } });
    const viewport = engine.getViewport<Types.IStackViewport>(viewportId);
    const instances = series.instances.map((instance) => ({ ...instance }));
    let places = placesFor(instances);
    const imageIds = imageIdsFor(study.sessionId, instances);
    setPlaces(places);
    const local = state.current;
    const anchor = startAnchor.current;
    const anchored = anchor !== null && anchor.studyInstanceUid === study.study.studyInstanceUid && (anchor.seriesInstanceUid === undefined || anchor.seriesInstanceUid === series.seriesInstanceUid) ? anchor : null;
    const startIndex = anchored?.sopInstanceUid === undefined ? 0 : (indexOfPlace(places, anchored.sopInstanceUid, anchored.frame) ?? 0);
    local.index = startIndex;
    local.imageIds = imageIds;
    local.errors = new Map();
    local.rendered = 0;
    local.rotation = 0;
    local.flipped = false;
    local.readerVoi = null;
    let disposed = false;

    const group = ToolGroupManager.createToolGroup(`${viewportId}-tools`)!;
    for (const name of Object.values(TOOL_NAMES)) group.addTool(name);
    group.addViewport(viewportId, RENDERING_ENGINE_ID);
    group.setToolActive(nameOf(PanTool), { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    group.setToolActive(nameOf(ZoomTool), { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });

    /**
     * The overlay (React state) follows the image at most once per animation frame: a step used to
     * set it three times (the key, the image set, the image drawn), each a render of this view, on
     * the same thread that draws the next image. An unchanged overlay renders nothing.
     */
    let reportFrame = 0;
    const report = (): void => {
      if (disposed || reportFrame !== 0) return;
      reportFrame = requestAnimationFrame(() => {
        reportFrame = 0;
        reportNow();
      });
    };
    const reportNow = (): void => {
      if (disposed) return;
      const imageId = local.imageIds[local.index];
      const properties = viewport.getProperties();
      const plane = metaData.get('imagePlaneModule', imageId) as { rowPixelSpacing?: number; columnPixelSpacing?: number; sliceLocation?: number } | undefined;
      const general = metaData.get('generalImageModule', imageId) as { instanceNumber?: number } | undefined;
      const rowSpacing = num(plane?.rowPixelSpacing);
      const columnSpacing = num(plane?.columnPixelSpacing);
      const next: OverlayFacts = {
        index: local.index,
        count: local.imageIds.length,
        window: properties.voiRange ? windowOf(properties.voiRange) : null,
        zoom: relativeZoom(viewport) ?? 1,
        sliceLocation: num(plane?.sliceLocation) ?? positionAlongNormal(imageId),
        spacing: rowSpacing !== null && columnSpacing !== null ? `${columnSpacing.toFixed(3)} × ${rowSpacing.toFixed(3)} mm` : 'Uncalibrated (no pixel spacing): lengths in pixels',
        instanceNumber: num(general?.instanceNumber),
      };
      setFacts((previous) => (sameFacts(previous, next) ? previous : next));
      setError(local.errors.get(imageId) ?? null);
    };

    const onRendered = (): void => {
      local.rendered += 1;
      report();
    };
    const onLoadError = (event: Event): void => {
      const detail = (event as CustomEvent<{ imageId: string; error: unknown }>).detail;
      if (!local.imageIds.includes(detail.imageId)) return;
      local.errors.set(detail.imageId, describeLoadError(detail.error));
      report();
    };
    /**
     * The window the reader chose (a preset, a drag, an anchor) is theirs until they ask for the
     * file's own: Cornerstone's CPU path puts each next image's own window back as it loads, so
     * it is kept here and put back after every image change. A drag is told from Cornerstone's
     * own VOI changes by the pointer being down on the viewport.
     */
    const onPointerDown = (): void => {
      local.dragging = true;
    };
    const onPointerUp = (): void => {
      local.dragging = false;
    };
    const onVoiModified = (): void => {
      if (local.dragging) local.readerVoi = viewport.getProperties().voiRange ?? local.readerVoi;
    };
    host.addEventListener('pointerdown', onPointerDown);
    window.addEventListener('pointerup', onPointerUp);
    host.addEventListener(CoreEvents.VOI_MODIFIED, onVoiModified);
    host.addEventListener(CoreEvents.IMAGE_RENDERED, onRendered);
    eventTarget.addEventListener(CoreEvents.IMAGE_LOAD_ERROR, onLoadError);

    /**
     * An instance listed without its frame count (1 image) whose file says Number of Frames > 1
     * becomes that many images, in place, and the stack is set again at the same instance; the
     * file is parsed once by the loader, so no byte is fetched twice.
     */
    const expandFrames = (imageId: string): void => {
      const place = places[local.index];
      const instance = place === undefined ? undefined : instances.find((i) => i.sopInstanceUid === place.sopInstanceUid);
      if (instance === undefined || instance.frames !== null || imageId.includes('frame=')) return;
      const frames = framesOf(imageId);
      instance.frames = frames ?? 1;
      if (frames === null || frames <= 1) return;
      places = placesFor(instances);
      local.imageIds = imageIdsFor(study.sessionId, instances);
      // The anchor's frame when it names this instance (a hub study opened at frame n), else its first.
      const wanted = anchored?.sopInstanceUid === instance.sopInstanceUid ? (anchored.frame ?? 1) : 1;
      local.index = indexOfPlace(places, instance.sopInstanceUid, wanted) ?? 0;
      setPlaces(places);
      toolUtilities.stackPrefetch.disable(host);
      viewport.setStack(local.imageIds, local.index).then(
        () => {
          if (disposed) return;
          toolUtilities.stackPrefetch.enable(host);
          report();
        },
        () => report(),
      );
    };

    /** A loaded image is believed only once its pixel data is as long as its header says. */
    const check = (imageId: string): void => {
      const problem = imageProblem(imageId);
      if (problem !== null) local.errors.set(imageId, problem);
    };

    const show = (index: number): void => {
      const target = Math.min(local.imageIds.length - 1, Math.max(0, index));
      if (target < 0) return;
      local.index = target;
      const imageId = local.imageIds[target];
      const token = ++local.showToken;
      local.loadingSince = performance.now();
      const settled = (): void => {
        if (token === local.showToken) local.loadingSince = null;
      };
      // What the file's own data already says is wrong is said before anything is drawn.
      check(imageId);
      viewport.setImageIdIndex(target).then(
        () => {
          settled();
          if (local.readerVoi !== null) {
            viewport.setProperties({ voiRange: local.readerVoi });
            viewport.render();
          }
          check(imageId);
          expandFrames(imageId);
          report();
        },
        (reason: unknown) => {
          settled();
          if (!local.errors.has(imageId)) local.errors.set(imageId, describeLoadError(reason));
          report();
        },
      );
      report();
      scrolled.current?.(viewportId);
    };

    const fit = (): void => {
      viewport.resetCamera({ resetPan: true, resetZoom: true });
      viewport.render();
      report();
    };

    const command = (cmd: ViewerCommand): void => {
      switch (cmd.kind) {
        case 'step':
          // A held key's repeats wait for the image asked for to be drawn: keys arriving faster
          // than images decode would otherwise move on before each is drawn, and Cornerstone
          // draws only the last one asked for (a first pass showed ~1 image a second). Bounded,
          // so a load that never settles cannot stop the scroll.
          if (cmd.held === true && local.loadingSince !== null && performance.now() - local.loadingSince < HELD_KEY_WAIT_MS) break;
          show(local.index + cmd.by);
          break;
        case 'first':
          show(0);
          break;
        case 'last':
          show(local.imageIds.length - 1);
          break;
        case 'preset':
          local.readerVoi = voiRange(cmd.preset.width, cmd.preset.center);
          viewport.setProperties({ voiRange: local.readerVoi });
          viewport.render();
          break;
        case 'file-window':
          // The file's own VOI (Window Center/Width or VOI LUT), as Cornerstone read it.
          local.readerVoi = null;
          viewport.resetProperties();
          viewport.setProperties({ invert: false });
          viewport.render();
          break;
        case 'fit':
          fit();
          break;
        case 'invert':
          viewport.setProperties({ invert: !viewport.getProperties().invert });
          viewport.render();
          break;
        case 'rotate':
          local.rotation = (local.rotation + 90) % 360;
          viewport.setViewPresentation({ rotation: local.rotation });
          viewport.render();
          break;
        case 'flip':
          local.flipped = !local.flipped;
          viewport.setViewPresentation({ flipHorizontal: local.flipped });
          viewport.render();
          break;
        case 'reset':
          local.rotation = 0;
          local.flipped = false;
          local.readerVoi = null;
          viewport.resetProperties();
          viewport.resetCamera();
          viewport.render();
          report();
          break;
        case 'cine':
          setPlaying((value) => !value);
          break;
        default:
          break;
      }
    };

    controllers.set(viewportId, {
      command,
      setIndex: show,
      index: () => local.index,
      count: () => local.imageIds.length,
      positions: () => local.imageIds.map(positionAlongNormal),
      viewport: () => viewport,
      imageId: () => local.imageIds[local.index] ?? null,
      error: () => local.errors.get(local.imageIds[local.index]) ?? null,
      rendered: () => local.rendered,
      anchor: () => {
        const imageId = local.imageIds[local.index];
        const place = places[local.index];
        if (imageId === undefined || place === undefined) return null;
        const state = local.errors.has(imageId) ? null : readViewport(viewport, local.rotation);
        return {
          studyInstanceUid: study.study.studyInstanceUid,
          seriesInstanceUid: series.seriesInstanceUid,
          sopInstanceUid: place.sopInstanceUid,
          ...(place.frame !== undefined ? { frame: place.frame } : {}),
          ...(state !== null ? { viewport: state } : {}),
        };
      },
    });

    const onWheel = (event: WheelEvent): void => {
      event.preventDefault();
      show(local.index + Math.sign(event.deltaY));
    };
    host.addEventListener('wheel', onWheel, { passive: false });
    const resize = new ResizeObserver(() => {
      engine.resize(true, true);
    });
    resize.observe(host);

    if (imageIds.length === 0) setError('This series has no images.');
    else
      viewport.setStack(imageIds, startIndex).then(
        () => {
          if (disposed) return;
          check(imageIds[startIndex]);
          if (anchored?.viewport !== undefined && !local.errors.has(imageIds[startIndex])) {
            applyViewport(viewport, anchored.viewport);
            local.readerVoi = viewport.getProperties().voiRange ?? null;
            local.rotation = anchored.viewport.rotation ?? 0;
          }
          viewport.render();
          // Decode the rest of the series in the background, nearest first, so scrolling finds it ready.
          toolUtilities.stackPrefetch.enable(host);
          expandFrames(imageIds[startIndex]);
          report();
        },
        (reason: unknown) => {
          if (disposed) return;
          if (!local.errors.has(imageIds[startIndex])) local.errors.set(imageIds[startIndex], describeLoadError(reason));
          // The first image failing must not stop the series: the prefetch still fills the rest.
          toolUtilities.stackPrefetch.enable(host);
          report();
        },
      );
    report();

    return () => {
      disposed = true;
      cancelAnimationFrame(reportFrame);
      controllers.delete(viewportId);
      resize.disconnect();
      host.removeEventListener('wheel', onWheel);
      host.removeEventListener(CoreEvents.IMAGE_RENDERED, onRendered);
      host.removeEventListener('pointerdown', onPointerDown);
      window.removeEventListener('pointerup', onPointerUp);
      host.removeEventListener(CoreEvents.VOI_MODIFIED, onVoiModified);
      eventTarget.removeEventListener(CoreEvents.IMAGE_LOAD_ERROR, onLoadError);
      toolUtilities.stackPrefetch.disable(host);
      ToolGroupManager.destroyToolGroup(`${viewportId}-tools`);
      engine.disableElement(viewportId);
      // Decoded images of a closed series leave the cache as others need room (LRU, bounded).
      void cache;
    };
  }, [viewportId, study, series]);

  // The left button's tool.
  useEffect(() => {
    const group = ToolGroupManager.getToolGroup(`${viewportId}-tools`);
    if (group === undefined) return;
    for (const [key, name] of Object.entries(TOOL_NAMES) as [ViewerTool, string][]) {
      if (key === tool) group.setToolActive(name, { bindings: [{ mouseButton: PRIMARY }] });
      else if (key !== 'pan' && key !== 'zoom') group.setToolPassive(name);
    }
    if (tool !== 'pan') group.setToolActive(nameOf(PanTool), { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    if (tool !== 'zoom') group.setToolActive(nameOf(ZoomTool), { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
  }, [viewportId, tool, series]);

  // Cine: the stack at `fps` frames a second, round and round.
  useEffect(() => {
    if (!playing) return;
    const controller = controllers.get(viewportId);
    if (controller === undefined) return;
    const timer = window.setInterval(() => {
      const next = controller.index() + 1;
      controller.setIndex(next >= controller.count() ? 0 : next);
    }, 1000 / Math.max(1, fps));
    return () => window.clearInterval(timer);
  }, [playing, fps, viewportId]);

  const patient = study.deidentified ? null : study.study;
  return (
    <section className={`viewer-viewport${active ? ' active' : ''}`} aria-label={label} onMouseDown={onActivate} onFocus={onActivate}>
      <div ref={element} className="viewer-canvas" onContextMenu={(event) => event.preventDefault()} data-viewport-id={viewportId} />
      <StackScrollBar
        label={label}
        index={facts.index}
        count={facts.count}
        places={places}
        markers={markers?.filter((marker) => marker.seriesInstanceUid === series.seriesInstanceUid) ?? []}
        onGo={(index) => controllers.get(viewportId)?.setIndex(index)}
      />
      {error !== null && (
        <div className="viewer-image-error" role="alert">
          <strong>
            Image {facts.index + 1} of {facts.count} cannot be shown.
          </strong>
          <span>{error}</span>
          <span className="muted">Scroll on: the other images of the series still show.</span>
        </div>
      )}
      {overlay && (
        <div className="viewer-overlay" aria-label="Image information">
          <div className="corner top-left">
            {patient === null ? (
              <>
                <div>De-identified</div>
                {/* The hub's pseudonym ("Anonymous 7F3A", visibility rule 14): names no one. */}
                <div>{study.study.patientName?.replace(/\^/g, ' ').trim() ?? ''}</div>
              </>
            ) : (
              <>
                <div>{patient.patientName?.replace(/\^/g, ' ').trim() || 'No name'}</div>
                <div>{patient.patientId ?? ''}</div>
                <div>{patient.patientBirthDate ? `Born ${patient.patientBirthDate}` : ''}</div>
              </>
            )}
          </div>
          <div className="corner top-right">
            <div>{study.study.description ?? ''}</div>
            <div>{study.study.studyDate ?? ''}</div>
            <div>
              Series {series.seriesNumber ?? '–'} {series.description ?? ''}
            </div>
          </div>
          <div className="corner bottom-left">
            <div aria-label="Image number">
              Image {facts.count === 0 ? 0 : facts.index + 1} / {facts.count}
              {facts.instanceNumber !== null ? ` (#${facts.instanceNumber})` : ''}
            </div>
            <div>{facts.sliceLocation !== null ? `Slice ${facts.sliceLocation.toFixed(1)} mm` : ''}</div>
            <div>{playing ? `Cine ${fps} fps` : ''}</div>
          </div>
          <div className="corner bottom-right">
            <div aria-label="Window">{facts.window ? `W ${Math.round(facts.window.width)} L ${Math.round(facts.window.center)}` : ''}</div>
            <div>Zoom {(facts.zoom * 100).toFixed(0)}%</div>
            <div>{facts.spacing}</div>
          </div>
        </div>
      )}
    </section>
  );
}
