/**
 * The guest page's script (/g/<token>): open the link (asking for the PIN or the date of birth
 * when it has one), list the series, and show them in the app's own viewer — the same
 * Cornerstone3D StackView, loader and codec workers as the desktop, so a guest sees every
 * transfer syntax a user does and there is no second decoder to keep. The hub decides
 * everything a guest may do: each instance comes from `/g/<token>/api/images/<study>/<sop>` with
 * the guest's session header, checked there like every other guest request.
 *
 * Built by electron-vite's renderer build into out/guest-page (scripts/build-guest-viewer.mjs),
 * served by server/routes/guest-page.ts under /g/assets/viewer/.
 */
import { lazy, Suspense, useEffect, useRef, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { call, setSession, token, type Opened } from './guest-session';

// The viewer (4 MB of Cornerstone and codecs) loads once the link is open.
const GuestStudy = lazy(() => import('./GuestStudy'));

type Phase =
  | { readonly kind: 'opening' }
  | { readonly kind: 'password'; readonly protection: 'pin' | 'dob'; readonly problem: string | null }
  | { readonly kind: 'message'; readonly title: string; readonly text: string }
  | { readonly kind: 'viewer'; readonly opened: Opened };

function PasswordForm({ protection, problem, onOpen }: { protection: 'pin' | 'dob'; problem: string | null; onOpen: (password: string) => void }) {
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), [problem]);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    onOpen(value);
  };
  return (
    <section className="card">
      <h1>This study is protected</h1>
      <form onSubmit={submit}>
        <label>
          <span>{protection === 'pin' ? 'PIN' : 'Patient’s date of birth (e.g. 1970-03-15)'}</span>
          <input ref={input} type={protection === 'pin' ? 'password' : 'text'} inputMode={protection === 'pin' ? 'numeric' : 'text'} autoComplete="off" value={value} onChange={(event) => setValue(event.target.value)} />
        </label>
        {problem !== null && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" className="primary">
          Open
        </button>
      </form>
    </section>
  );
}

function GuestPage() {
  const [phase, setPhase] = useState<Phase>({ kind: 'opening' });
  const open = (password?: string): void => {
    call('/open', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(password === undefined ? {} : { password }) })
      .then(async (response) => {
        const body = (await response.json()) as Opened & { protection?: 'pin' | 'dob'; error?: { code: string; message: string } };
        if (response.status === 200) {
          setSession(body.session);
          setPhase({ kind: 'viewer', opened: body });
        } else if (body.error?.code === 'password-required' || body.error?.code === 'password-wrong') {
          setPhase({ kind: 'password', protection: body.protection ?? 'pin', problem: body.error.code === 'password-wrong' ? body.error.message : null });
        } else setPhase({ kind: 'message', title: 'This link cannot be opened', text: body.error?.message ?? 'Something went wrong.' });
      })
      .catch(() => setPhase({ kind: 'message', title: 'This link cannot be opened', text: 'The server did not answer. Try again later.' }));
  };
  useEffect(() => {
    if (!/^[A-Za-z0-9_-]{20,}$/.test(token)) setPhase({ kind: 'message', title: 'This link cannot be opened', text: 'This link does not exist. Check that it was copied whole, or ask for a new one.' });
    else open();
  }, []);
  switch (phase.kind) {
    case 'opening':
      return <p className="muted">Opening the link…</p>;
    case 'password':
      return <PasswordForm key={phase.problem ?? ''} protection={phase.protection} problem={phase.problem} onOpen={open} />;
    case 'message':
      return (
        <section className="card" role="alert">
          <h1>{phase.title}</h1>
          <p>{phase.text}</p>
        </section>
      );
    case 'viewer':
      return (
        <Suspense fallback={<p className="muted">Loading the viewer…</p>}>
          <GuestStudy opened={phase.opened} />
        </Suspense>
      );
  }
}

createRoot(document.getElementById('app')!).render(<GuestPage />);
