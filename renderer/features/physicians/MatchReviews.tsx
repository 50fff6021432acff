/**
 * Administration → Physicians → Matches to confirm (issue 14): DICOM names that fit several
 * physicians of the directory wait here. For each, the admin picks the physician it was, or
 * None; the hub makes the link (or not), closes the question and records it in the audit trail.
 * The list is the hub's (`physician_match_reviews`): answered elsewhere, it is gone on reload.
 */
import { useEffect, useState } from 'react';
import { RELATION_LABELS, type MatchReviewView } from '../../../shared/hub-api/physicians';
import { formatPersonName } from '../../../shared/dicom/person-name';
import { ErrorMessage, Notice } from '../../components/Messages';
import { api } from '../../lib/api';

const NONE = 'none';

export function MatchReviews() {
  const [reviews, setReviews] = useState<readonly MatchReviewView[] | null>(null);
  const [chosen, setChosen] = useState<Readonly<Record<string, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const load = async () => {
    const result = await api.call('physicians:reviews', {});
    if (result.ok) setReviews(result.value.reviews);
    else setError(result.error.message);
  };
  useEffect(() => void load(), []);
  const answer = async (review: MatchReviewView) => {
    const pick = chosen[review.id];
    if (pick === undefined) {
      setError('Choose the physician this name is, or None.');
      return;
    }
    const result = await api.call('physicians:resolve-review', { id: review.id, physicianId: pick === NONE ? null : pick });
    if (!result.ok) {
      setError(result.error.message);
      await load();
      return;
    }
    setError(null);
    const who = review.candidates.find((c) => c.id === pick)?.displayName;
    setNotice(who === undefined ? `“${formatPersonName(review.dicomName)}” was left unlinked.` : `“${formatPersonName(review.dicomName)}” was linked to ${who}.`);
    await load();
  };
  return (
    <section className="match-reviews" aria-labelledby="match-reviews-title">
      <h3 id="match-reviews-title">
        Matches to confirm {reviews !== null && reviews.length > 0 && <span className="badge" aria-label={`${reviews.length} waiting`}>{reviews.length}</span>}
      </h3>
      <ErrorMessage message={error} />
      <Notice message={notice} />
      {reviews !== null && reviews.length === 0 && <p className="muted">No DICOM names wait for a decision: every name matched one physician or none.</p>}
      {reviews !== null && reviews.length > 0 && (
        <table className="admin-table" aria-label="Matches to confirm">
          <thead>
            <tr>
              <th scope="col">Study</th>
              <th scope="col">Relation</th>
              <th scope="col">DICOM name</th>
              <th scope="col">Is</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {reviews.map((review) => (
              <tr key={review.id}>
                <td>{review.study}</td>
                <td>{RELATION_LABELS[review.relation]}</td>
                <td>{formatPersonName(review.dicomName)}</td>
                <td>
                  <select aria-label={`Physician for ${formatPersonName(review.dicomName)} on ${review.study}`} value={chosen[review.id] ?? ''} onChange={(event) => setChosen({ ...chosen, [review.id]: event.target.value })}>
                    <option value="" disabled>
                      Choose…
                    </option>
                    {review.candidates.map((candidate) => (
                      <option key={candidate.id} value={candidate.id}>
                        {candidate.displayName}
                      </option>
                    ))}
                    <option value={NONE}>None of them</option>
                  </select>
                </td>
                <td>
                  <button type="button" className="quiet" aria-label={`Confirm ${formatPersonName(review.dicomName)} on ${review.study}`} disabled={chosen[review.id] === undefined} onClick={() => void answer(review)}>
                    Confirm
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
