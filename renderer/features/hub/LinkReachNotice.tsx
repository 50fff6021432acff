/**
 * Said before a link is made (guest links, email invitations): whether the people it is for can
 * open it. A link on a loopback address opens only on this computer; a hub without a public
 * address makes no links at all.
 */
import { useSettings } from '../settings/settings-store';
import { useHub } from './hub-store';

export function LinkReachNotice() {
  const status = useHub((s) => s.status);
  if (status === null) return null;
  if (status.linkReach === 'this-computer') {
    return (
      <p className="warn-text" role="note">
        Only this computer can open this link: it points at {status.publicUrl}.{' '}
        {status.mode === 'embedded' ? (
          <>
            Set the public address in{' '}
            <button type="button" className="link" onClick={() => useSettings.getState().open()}>
              Settings
            </button>
            .
          </>
        ) : (
          'Ask the hub’s administrator to set its public address.'
        )}
      </p>
    );
  }
  if (status.linkReach === 'none') {
    return (
      <p className="warn-text" role="note">
        This hub has no public address, so it cannot make links that work elsewhere. Its administrator must set HUB_PUBLIC_URL.
      </p>
    );
  }
  return null;
}
