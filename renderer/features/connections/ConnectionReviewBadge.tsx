/**
 * The number of connection requests waiting for review, on the sidebar's Administration entry
 * (issue 14, part 3), for those whose role manages connections; read again whenever the data
 * changes (a sync brings the hub's news).
 */
import { useEffect } from 'react';
import { formatCount } from '../../lib/format';
import { api } from '../../lib/api';
import { hasPermission, useHub } from '../hub/hub-store';
import { useConnections } from './connections-store';
import './connections.css';

export function ConnectionReviewBadge() {
  const allowed = useHub((s) => hasPermission(s.status, 'admin.connections'));
  const waiting = useConnections((s) => s.reviewCount);
  useEffect(() => {
    if (!allowed) return;
    void useConnections.getState().loadSite();
    const off = api.on('data:changed', () => void useConnections.getState().loadSite());
    return off;
  }, [allowed]);
  if (!allowed || waiting === 0) return null;
  return (
    <span className="badge alert" aria-label={`${waiting} connection ${waiting === 1 ? 'request' : 'requests'} to review`}>
      {formatCount(waiting)}
    </span>
  );
}
