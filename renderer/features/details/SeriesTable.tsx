/**
 * A study's series in the details panel, with a checkbox per series and "Add to collection…"
 * for the chosen ones (issue 13: a teaching set rarely wants the scout). The add goes through
 * the same dialog and outbox as a whole study's (collections-store.ts), naming the series.
 * The choice is cleared when another study is shown.
 */
import { useEffect, useState } from 'react';
import type { SeriesSummary } from '../../../shared/types/study';
import { formatCount } from '../../lib/format';
import { useCollections } from '../collections/collections-store';

type Ref = { readonly uid: string } | { readonly hubId: string };

export function SeriesTable({ series, study, choosable }: { readonly series: readonly SeriesSummary[]; readonly study: Ref; readonly choosable: boolean }) {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  const key = 'uid' in study ? study.uid : study.hubId;
  useEffect(() => setChosen(new Set()), [key]);
  const toggle = (uid: string) =>
    setChosen((before) => {
      const next = new Set(before);
      if (!next.delete(uid)) next.add(uid);
      return next;
    });
  const all = series.length > 0 && series.every((s) => chosen.has(s.seriesInstanceUid));
  return (
    <>
      <table className="series" aria-label="Series">
        <thead>
          <tr>
            {choosable && (
              <th scope="col">
                <input type="checkbox" aria-label="Choose every series" checked={all} onChange={() => setChosen(all ? new Set() : new Set(series.map((s) => s.seriesInstanceUid)))} />
              </th>
            )}
            <th scope="col">#</th>
            <th scope="col">Modality</th>
            <th scope="col">Description</th>
            <th scope="col" className="numeric">
              Images
            </th>
          </tr>
        </thead>
        <tbody>
          {series.map((s) => (
            <tr key={s.seriesInstanceUid}>
              {choosable && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Choose series ${s.seriesNumber ?? ''} ${s.seriesDescription ?? s.modality ?? ''}`.replace(/\s+/g, ' ').trim()}
                    checked={chosen.has(s.seriesInstanceUid)}
                    onChange={() => toggle(s.seriesInstanceUid)}
                  />
                </td>
              )}
              <td className="numeric">{s.seriesNumber ?? ''}</td>
              <td>{s.modality ?? ''}</td>
              <td>{s.seriesDescription ?? ''}</td>
              <td className="numeric">{formatCount(s.instanceCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {choosable && (
        <div className="series-actions">
          <button
            type="button"
            disabled={chosen.size === 0}
            onClick={() => {
              // In the series' order, as the study lists them.
              const uids = series.map((s) => s.seriesInstanceUid).filter((uid) => chosen.has(uid));
              void useCollections.getState().load();
              useCollections.getState().openDialog({ kind: 'add', studies: [study], seriesUids: uids });
            }}
          >
            {chosen.size === 0 ? 'Add chosen series to collection…' : `Add ${chosen.size === 1 ? '1 series' : `${chosen.size} series`} to collection…`}
          </button>
        </div>
      )}
    </>
  );
}
