/**
 * "You do not have access" (issue 13, part 5): shown inline where a study is reached that the
 * person cannot see — a stale hub list row after a removal, a link, a mention — never a blank
 * or a raw 403. The hub answers the same for a study that does not exist and one the person may
 * not see, and so does this: nothing about the study is shown. *Request access* asks its owner
 * and its site's admins (access-requests-store.ts); the answer arrives in Access requests.
 */
import { useState, type FormEvent } from 'react';
import { ErrorMessage, Notice } from '../../components/Messages';
import { useAccessRequests } from './access-requests-store';

/** Whether a refused call means "not there, or not yours to see" (both read the same). */
export function isNoAccess(code: string): boolean {
  return code === 'study-not-found' || code === 'not-found' || code === 'forbidden';
}

export function NoAccess({ studyId }: { readonly studyId: string }) {
  const error = useAccessRequests((s) => s.error);
  const notice = useAccessRequests((s) => s.notice);
  const [message, setMessage] = useState('');
  const [asked, setAsked] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await useAccessRequests.getState().ask(studyId, message)) setAsked(true);
  };
  return (
    <section className="no-access" role="region" aria-label="You do not have access">
      <h3>You do not have access</h3>
      <p className="muted">This study is not on the hub, or it is not shared with you. You can ask its owner for access.</p>
      {!asked && (
        <form className="stacked-form" aria-label="Request access" onSubmit={(event) => void submit(event)}>
          <label>
            Message (optional)
            <textarea rows={2} maxLength={500} value={message} onChange={(e) => setMessage(e.target.value)} />
          </label>
          <div className="dialog-actions">
            <button type="submit" className="primary">
              Request access
            </button>
          </div>
        </form>
      )}
      <ErrorMessage message={error} />
      {asked && <Notice message={notice} />}
    </section>
  );
}
