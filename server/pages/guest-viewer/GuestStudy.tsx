/**
 * The guest's study in the app's own viewer (StackView, Cornerstone3D, the loader's codec
 * workers): loaded only once the link is open, so the page that asks for a PIN stays small.
 */
import { useEffect, useState, type KeyboardEvent } from 'react';
import type { ViewerSeries, ViewerStudy } from '../../../shared/viewer/viewer-types';
import { initCornerstone, setImageCacheBytes } from '../../../renderer/features/viewer/cornerstone';
import { probeCore } from '../../../renderer/features/viewer/probe-core';
import { StackView } from '../../../renderer/features/viewer/StackView';
import { WindowPresetSelect } from '../../../renderer/features/viewer/WindowPresetSelect';
import { controllers } from '../../../renderer/features/viewer/viewer-controllers';
import { commandForKey, TOOL_LABELS, type ViewerCommand, type ViewerTool } from '../../../renderer/features/viewer/viewer-keys';
import { call, sessionHeaders, token, type GuestSeries, type Opened } from './guest-session';
import '../../../renderer/features/viewer/viewer.css';

const VIEWPORT = 'guest-viewport';
/** The decoded-image cache of a guest's tab: the app's default bound. */
const CACHE_BYTES = 512 * 1024 * 1024;
const GUEST_TOOLS: readonly ViewerTool[] = ['window', 'pan', 'zoom', 'length'];

// The tests' read-only probe (the current image and a region's decoded values), as in the app.
(window as unknown as { studyshareViewerProbe: typeof probeCore }).studyshareViewerProbe = probeCore;

/** A series as the StackView takes it: its study's id as the "session" and each SOP UID as the key, which the image URL carries. */
function asViewerStudy(series: GuestSeries, opened: Opened): { study: ViewerStudy; series: ViewerSeries } {
  const summary = opened.studies[0]?.summary ?? {};
  const viewerSeries: ViewerSeries = {
    seriesInstanceUid: series.seriesUid,
    modality: series.modality,
    seriesNumber: series.number,
    description: series.description,
    instances: series.instances.map((instance) => ({
      key: encodeURIComponent(instance.sop),
      sopInstanceUid: instance.sop,
      instanceNumber: instance.number,
      // Not known until the file is read: the stack grows to a multi-frame instance's frames then.
      frames: null,
      rows: null,
      columns: null,
      transferSyntaxUid: null,
    })),
  };
  return {
    series: viewerSeries,
    study: {
      sessionId: series.studyId,
      source: 'hub',
      // A guest's overlay names no patient (the link shows the study, not who it is).
      deidentified: true,
      study: { studyInstanceUid: series.studyId, patientName: null, patientId: null, patientBirthDate: null, studyDate: summary.studyDate ?? null, description: summary.studyDescription ?? null, accessionNumber: null, modalities: [] },
      series: [viewerSeries],
      priors: [],
    },
  };
}

export default function GuestViewer({ opened }: { opened: Opened }) {
  const [series, setSeries] = useState<GuestSeries[] | null>(null);
  const [chosen, setChosen] = useState(0);
  const [ready, setReady] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [tool, setTool] = useState<ViewerTool>('window');
  const summary = opened.studies[0]?.summary ?? {};

  useEffect(() => {
    initCornerstone({ headers: sessionHeaders, dataPrefix: `/g/${token}/api/images/` })
      .then(() => {
        setImageCacheBytes(CACHE_BYTES);
        setReady(true);
      })
      .catch((reason: unknown) => setProblem(`The viewer could not start: ${reason instanceof Error ? reason.message : 'unknown error'}.`));
    call('/api/series')
      .then(async (response) => {
        const body = (await response.json()) as { series?: GuestSeries[]; error?: { message: string } };
        if (!response.ok || body.series === undefined) setProblem(body.error?.message ?? 'The study could not be listed.');
        else if (body.series.length === 0) setProblem('The images of this study are not on the server yet.');
        else setSeries(body.series);
      })
      .catch(() => setProblem('The server did not answer. Try again later.'));
  }, []);

  const run = (command: ViewerCommand): void => {
    if (command.kind === 'tool') setTool(command.tool);
    else if (command.kind === 'series') setChosen((index) => Math.min((series?.length ?? 1) - 1, Math.max(0, index + command.by)));
    else if (command.kind !== 'close' && command.kind !== 'help' && command.kind !== 'layout' && command.kind !== 'overlay') controllers.get(VIEWPORT)?.command(command);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    if (['INPUT', 'SELECT', 'TEXTAREA'].includes(target.tagName)) return;
    const command = commandForKey(event.key);
    if (command === null || (event.key === ' ' && target.tagName === 'BUTTON')) return;
    event.preventDefault();
    run(command);
  };

  const download = async (): Promise<void> => {
    const response = await call('/api/download');
    if (!response.ok) {
      setProblem(((await response.json()) as { error: { message: string } }).error.message);
      return;
    }
    const link = document.createElement('a');
    link.href = URL.createObjectURL(await response.blob());
    link.download = 'studies.zip';
    document.body.appendChild(link);
    link.click();
    link.remove();
  };

  const current = series?.[chosen];
  const shown = current === undefined ? null : asViewerStudy(current, opened);
  return (
    <div className="guest-viewer" onKeyDown={onKeyDown} tabIndex={-1}>
      <h1>{[summary.studyDescription, summary.studyDate].filter(Boolean).join(' · ') || 'Shared study'}</h1>
      {opened.note ? <p className="muted">{opened.note}</p> : null}
      <div role="toolbar" aria-label="Tools" className="viewer-tools guest-tools">
        {GUEST_TOOLS.map((key) => (
          <button key={key} type="button" aria-pressed={tool === key} onClick={() => setTool(key)}>
            {TOOL_LABELS[key]}
          </button>
        ))}
        <WindowPresetSelect run={run} showKeys={false} />
        <button type="button" onClick={() => run({ kind: 'step', by: -1 })}>
          Previous image
        </button>
        <button type="button" onClick={() => run({ kind: 'step', by: 1 })}>
          Next image
        </button>
        <button type="button" onClick={() => run({ kind: 'fit' })}>
          Fit
        </button>
        <button type="button" onClick={() => run({ kind: 'invert' })}>
          Invert
        </button>
        <button type="button" onClick={() => run({ kind: 'reset' })}>
          Reset
        </button>
        {opened.allowDownload && (
          <button type="button" className="primary" onClick={() => void download()}>
            Download study (zip)
          </button>
        )}
      </div>
      {problem !== null && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="guest-stage">
        <ul className="series" aria-label="Series">
          {series?.map((s, index) => (
            <li key={`${s.studyId}/${s.seriesUid}`}>
              <button type="button" aria-pressed={index === chosen} onClick={() => setChosen(index)}>
                {[s.number !== null ? `#${s.number}` : null, s.modality, s.description, `${s.instances.length} ${s.instances.length === 1 ? 'image' : 'images'}`].filter(Boolean).join(' · ')}
              </button>
            </li>
          ))}
        </ul>
        <div className="guest-viewport">
          {ready && shown !== null && (
            <StackView
              key={`${shown.study.sessionId}/${shown.series.seriesInstanceUid}`}
              viewportId={VIEWPORT}
              study={shown.study}
              series={shown.series}
              tool={tool}
              fps={15}
              overlay
              active
              label="Shared study"
              onActivate={() => undefined}
            />
          )}
        </div>
      </div>
    </div>
  );
}

