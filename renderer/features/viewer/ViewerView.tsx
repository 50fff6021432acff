/**
 * The viewer: a study's series down the side (thumbnails with counts), one viewport or two side
 * by side (1×2, the study beside a prior of the same patient, scrolled together by position), a
 * toolbar whose every button has a key, and the `?` help listing them. Opened from the worklist
 * (double-click, Enter, Actions → Open), the details, a hub worklist; Esc closes it.
 */
import { useEffect, useRef, useState } from 'react';
import { transportHeaders } from '../../lib/api';
import { initCornerstone, setImageCacheBytes } from './cornerstone';
import { forgetSession } from './instance-store';
import { SeriesThumbnail } from './SeriesThumbnail';
import { WindowPresetSelect } from './WindowPresetSelect';
import { controllers, StackView } from './StackView';
import { MAIN_VIEWPORT, PRIOR_VIEWPORT } from './viewer-store';
import { installViewerProbe } from './viewer-probe';
import { commandForKey, KEY_BINDINGS, KEY_NAMES, nearestSlice, TOOL_LABELS, type ViewerCommand, type ViewerTool } from './viewer-keys';
import { useViewer } from './viewer-store';
import { api } from '../../lib/api';
import { VIEWER_CACHE_MB } from '../../../shared/viewer/viewer-types';
import { ViewerComments } from '../comments/ViewerComments';
import { isNoAccess, NoAccess } from '../access-requests/NoAccess';
import './viewer.css';

const MAIN = MAIN_VIEWPORT;
const PRIOR = PRIOR_VIEWPORT;

export function ViewerView() {
  const study = useViewer((s) => s.study);
  const prior = useViewer((s) => s.prior);
  const error = useViewer((s) => s.error);
  const errorCode = useViewer((s) => s.errorCode);
  const opening = useViewer((s) => s.opening);
  const seriesIndex = useViewer((s) => s.seriesIndex);
  const priorSeriesIndex = useViewer((s) => s.priorSeriesIndex);
  const overlay = useViewer((s) => s.overlay);
  const help = useViewer((s) => s.help);
  const anchor = useViewer((s) => s.anchor);
  const markers = useViewer((s) => s.markers);
  const activeViewport = useViewer((s) => s.activeViewportId);
  const setActiveViewport = useViewer((s) => s.setActiveViewport);
  const [ready, setReady] = useState(false);
  const [startError, setStartError] = useState<string | null>(null);
  const [tool, setTool] = useState<ViewerTool>('window');
  const [fps, setFps] = useState(15);
  const [compareOpen, setCompareOpen] = useState(false);
  const [cacheMb, setCacheMb] = useState<number | null>(null);
  const [cacheMessage, setCacheMessage] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);
  /**
   * The side panel's slot, right of the stage (the comments panel mounts here, as an
   * `<aside className="viewer-side-panel">`). It may read `useViewer` (currentAnchor, setMarkers,
   * open). Nothing here: the stage takes the width.
   */
  // A study seen de-identified (visibility rule 14) has no comments for this reader: they name people.
  const sidePanel: React.ReactNode = study?.deidentified === true ? null : <ViewerComments />;
  const syncing = useRef(false);

  // A closed viewing session's keys are dead: what instance-store kept of its images goes with it.
  const studySession = study?.sessionId;
  const priorSession = prior?.sessionId;
  useEffect(() => () => (studySession === undefined ? undefined : forgetSession(studySession)), [studySession]);
  useEffect(() => () => (priorSession === undefined ? undefined : forgetSession(priorSession)), [priorSession]);

  useEffect(() => {
    installViewerProbe();
    initCornerstone({ headers: transportHeaders })
      .then(async () => {
        const settings = await api.call('viewer:settings', {});
        if (settings.ok) {
          setImageCacheBytes(settings.value.cacheMegabytes * 1024 * 1024);
          setCacheMb(settings.value.cacheMegabytes);
        }
        setReady(true);
      })
      .catch((reason: unknown) => setStartError(`The viewer could not start: ${reason instanceof Error ? reason.message : 'unknown error'}.`));
    root.current?.focus();
  }, []);

  const run = (command: ViewerCommand): void => {
    const viewer = useViewer.getState();
    switch (command.kind) {
      case 'series':
        if (activeViewport === PRIOR) viewer.showPriorSeries(viewer.priorSeriesIndex + command.by);
        else viewer.showSeries(viewer.seriesIndex + command.by);
        return;
      case 'tool':
        setTool(command.tool);
        return;
      case 'overlay':
        viewer.toggleOverlay();
        return;
      case 'help':
        viewer.toggleHelp();
        return;
      case 'layout':
        if (viewer.prior !== null) void viewer.comparePrior(null);
        else setCompareOpen((open) => !open);
        return;
      case 'close':
        if (viewer.help) viewer.toggleHelp(false);
        else if (compareOpen) setCompareOpen(false);
        else viewer.close();
        return;
      default:
        controllers.get(activeViewport)?.command(command);
        // Window presets and view changes apply to both sides of a comparison.
        if (command.kind !== 'step' && command.kind !== 'first' && command.kind !== 'last' && command.kind !== 'cine') {
          for (const [id, controller] of controllers) if (id !== activeViewport) controller.command(command);
        }
    }
  };

  const onKeyDown = (event: React.KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName) && event.key !== 'Escape') return;
    const command = commandForKey(event.key);
    if (command === null) return;
    // Space on a focused button presses it; elsewhere it plays the cine.
    if (event.key === ' ' && target.tagName === 'BUTTON') return;
    event.preventDefault();
    event.stopPropagation();
    run(command.kind === 'step' && event.repeat ? { ...command, held: true } : command);
  };

  /** The other side of a comparison follows by position (the nearest slice), else by fraction. */
  const follow = (from: string): void => {
    if (syncing.current) return;
    const source = controllers.get(from);
    const other = controllers.get(from === MAIN ? PRIOR : MAIN);
    if (source === undefined || other === undefined) return;
    const position = source.positions()[source.index()] ?? null;
    const target = nearestSlice(other.positions(), position, source.count() > 1 ? source.index() / (source.count() - 1) : 0);
    syncing.current = true;
    try {
      if (target !== other.index()) other.setIndex(target);
    } finally {
      syncing.current = false;
    }
  };

  const series = study?.series[seriesIndex];
  const priorSeries = prior?.series[priorSeriesIndex];
  const noAccess = error !== null && opening !== null && 'hubId' in opening && isNoAccess(errorCode ?? '');
  // The header says what the stage shows: opening, refused, failed, or the study itself.
  const title = study === null ? (noAccess ? 'No access' : error !== null ? 'Could not open the study' : 'Opening…') : study.deidentified ? ['De-identified', study.study.patientName].filter(Boolean).join(' · ') : [study.study.patientName?.replace(/\^/g, ' '), study.study.studyDate, study.study.description].filter(Boolean).join(' · ');

  return (
    <div className="viewer" role="dialog" aria-modal="true" aria-label="Viewer" ref={root} tabIndex={-1} onKeyDown={onKeyDown}>
      <header className="viewer-toolbar">
        <button type="button" onClick={() => run({ kind: 'close' })} aria-label="Close viewer" title="Close (Esc)">
          ✕
        </button>
        <span className="viewer-title" title={title}>
          {title}
        </span>
        {/* Tools act on images: none while the study opens, or when it cannot be shown. */}
        {study !== null && (
          <div role="toolbar" aria-label="Tools" className="viewer-tools">
            {(Object.keys(TOOL_LABELS) as ViewerTool[]).map((key) => (
              <button key={key} type="button" aria-pressed={tool === key} className={tool === key ? 'pressed' : ''} onClick={() => setTool(key)} title={TOOL_LABELS[key]}>
                {TOOL_LABELS[key]}
              </button>
            ))}
            <WindowPresetSelect run={run} showKeys={true} />
            <button type="button" onClick={() => run({ kind: 'fit' })} title="Fit (F)">Fit</button>
            <button type="button" onClick={() => run({ kind: 'invert' })} title="Invert (I)">Invert</button>
            <button type="button" onClick={() => run({ kind: 'rotate' })} title="Rotate 90° (R)">Rotate</button>
            <button type="button" onClick={() => run({ kind: 'flip' })} title="Flip horizontally (H)">Flip</button>
            <button type="button" onClick={() => run({ kind: 'reset' })} title="Reset (Backspace)">Reset</button>
            <button type="button" onClick={() => run({ kind: 'cine' })} title="Play / stop cine (Space)">Cine</button>
            <label className="viewer-fps">
              <span>fps</span>
              <input type="number" min={1} max={60} value={fps} aria-label="Cine frame rate (frames per second)" onChange={(event) => setFps(Math.min(60, Math.max(1, Number(event.target.value) || 1)))} />
            </label>
            <button type="button" aria-pressed={overlay} onClick={() => run({ kind: 'overlay' })} title="Overlay (O)">Overlay</button>
            <button type="button" aria-pressed={prior !== null} disabled={(study?.priors.length ?? 0) === 0} onClick={() => run({ kind: 'layout' })} title="Compare with a prior (C)">
              1×2
            </button>
            <button type="button" onClick={() => run({ kind: 'help' })} aria-label="Keyboard help" title="Keyboard help (?)">?</button>
          </div>
        )}
      </header>
      {compareOpen && study !== null && prior === null && (
        <div className="viewer-compare" role="listbox" aria-label="Prior studies">
          {study.priors.map((p) => (
            <button
              key={p.studyInstanceUid}
              type="button"
              role="option"
              aria-selected={false}
              onClick={() => {
                setCompareOpen(false);
                void useViewer.getState().comparePrior(p.studyInstanceUid);
              }}
            >
              {p.studyDate ?? 'No date'} · {p.modalities.join(', ')} · {p.description ?? ''}
            </button>
          ))}
        </div>
      )}
      <aside className="viewer-series" aria-label="Series">
        {ready && study?.series.map((s, index) => (
          <SeriesThumbnail key={s.seriesInstanceUid} sessionId={study.sessionId} series={s} selected={index === seriesIndex} onSelect={() => useViewer.getState().showSeries(index)} />
        ))}
      </aside>
      <div className={`viewer-stage${prior !== null ? ' split' : ''}`}>
        {/* Issue 13: a hub study not there, or not the reader's, answers "You do not have access" with Request access. */}
        {noAccess && 'hubId' in opening && <NoAccess studyId={opening.hubId} />}
        {(error ?? startError) !== null && !noAccess && (
          <p className="viewer-message" role="alert">
            {error ?? startError}
          </p>
        )}
        {study === null && error === null && <p className="viewer-message">Opening the study…</p>}
        {ready && study !== null && series !== undefined && (
          <StackView
            key={`${study.sessionId}-${series.seriesInstanceUid}`}
            viewportId={MAIN}
            study={study}
            series={series}
            tool={tool}
            fps={fps}
            overlay={overlay}
            active={activeViewport === MAIN}
            label="Current study"
            onActivate={() => setActiveViewport(MAIN)}
            onScrolled={prior !== null ? follow : undefined}
            anchor={anchor}
            markers={markers}
          />
        )}
        {ready && study !== null && study.series.length === 0 && <p className="viewer-message">This study has no images to show.</p>}
        {ready && prior !== null && priorSeries !== undefined && (
          <StackView
            key={`${prior.sessionId}-${priorSeries.seriesInstanceUid}`}
            viewportId={PRIOR}
            study={prior}
            series={priorSeries}
            tool={tool}
            fps={fps}
            overlay={overlay}
            active={activeViewport === PRIOR}
            label={`Prior study ${prior.study.studyDate ?? ''}`}
            onActivate={() => setActiveViewport(PRIOR)}
            onScrolled={follow}
          />
        )}
      </div>
      {sidePanel}
      {help && (
        <div className="viewer-help" role="dialog" aria-label="Keyboard help">
          <h2>Keys</h2>
          <table>
            <tbody>
              {KEY_BINDINGS.map((binding) => (
                <tr key={binding.label}>
                  <td>
                    {binding.keys.map((key) => (
                      <kbd key={key}>{KEY_NAMES[key] ?? key.toUpperCase()}</kbd>
                    ))}
                  </td>
                  <td>{binding.label}</td>
                </tr>
              ))}
              <tr>
                <td>Mouse</td>
                <td>Wheel scrolls; left drag uses the tool; middle drag pans; right drag zooms.</td>
              </tr>
            </tbody>
          </table>
          <form
            className="viewer-cache"
            // main checks the bounds and says them in words (the browser's own bubble would not reach a screen reader the same way)
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              if (cacheMb === null) return;
              void api.call('viewer:set-settings', { cacheMegabytes: cacheMb }).then((result) => {
                if (result.ok) {
                  setImageCacheBytes(result.value.cacheMegabytes * 1024 * 1024);
                  setCacheMb(result.value.cacheMegabytes);
                  setCacheMessage(`Images kept in memory up to ${result.value.cacheMegabytes} MB.`);
                } else setCacheMessage(result.error.message);
              });
            }}
          >
            <label>
              <span>Image cache (MB)</span>
              <input type="number" min={VIEWER_CACHE_MB.min} max={VIEWER_CACHE_MB.max} step={64} value={cacheMb ?? ''} onChange={(event) => setCacheMb(Number(event.target.value))} />
            </label>
            <button type="submit">Set</button>
            {cacheMessage !== null && <span role="status">{cacheMessage}</span>}
          </form>
          <button type="button" onClick={() => useViewer.getState().toggleHelp(false)}>
            Close help
          </button>
        </div>
      )}
    </div>
  );
}
