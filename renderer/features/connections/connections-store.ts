/**
 * External users who connect (issue 14, part 3) on the desktop: for a site's admins, the
 * requests with the number waiting for review (the Administration badge) and the decisions; for
 * an external user, their own requests and asking a site. Through main to the hub.
 */
import { create } from 'zustand';
import type { ConnectionKind } from '../../../shared/connections/connection-kinds';
import type { ConnectionSettingsView, MyConnectionView, SiteConnectionView } from '../../../shared/hub-api/connections';
import { api } from '../../lib/api';

export interface PhysicianChoice {
  readonly id: string;
  readonly name: string;
  readonly specialty: string | null;
}

interface ConnectionsState {
  readonly site: readonly SiteConnectionView[];
  readonly reviewCount: number;
  readonly settings: ConnectionSettingsView | null;
  /** The site's roles a connection may take (one role per connection). */
  readonly roles: readonly { readonly id: string; readonly name: string }[];
  readonly mine: readonly MyConnectionView[];
  /** The request whose Assign physicians dialog is open. */
  readonly assigning: SiteConnectionView | null;
  readonly mineOpen: boolean;
  readonly error: string | null;
  readonly notice: string | null;
  loadSite: () => Promise<void>;
  loadMine: () => Promise<void>;
  openAssign: (connection: SiteConnectionView | null) => void;
  showMine: (open: boolean) => void;
  assign: (connection: SiteConnectionView, physicianIds: readonly string[]) => Promise<boolean>;
  decline: (connection: SiteConnectionView) => Promise<void>;
  /** Sets the site's role that decides what the connected person may do with its studies. */
  setRole: (connection: SiteConnectionView, roleId: string) => Promise<void>;
  searchPhysicians: (q: string) => Promise<readonly PhysicianChoice[]>;
  createPhysician: (input: { givenNames: string; familyName: string; specialty: string }) => Promise<PhysicianChoice | null>;
  request: (site: string, kind: ConnectionKind) => Promise<boolean>;
}

export const useConnections = create<ConnectionsState>()((set, get) => ({
  site: [],
  reviewCount: 0,
  settings: null,
  roles: [],
  mine: [],
  assigning: null,
  mineOpen: false,
  error: null,
  notice: null,
  loadSite: async () => {
    const result = await api.call('connections:site', {});
    set(
      result.ok
        ? { site: result.value.connections, reviewCount: result.value.reviewCount, settings: result.value.settings, roles: result.value.roles ?? [] }
        : { site: [], reviewCount: 0, settings: null, roles: [] },
    );
  },
  loadMine: async () => {
    const result = await api.call('connections:mine', {});
    set({ mine: result.ok ? result.value.connections : [] });
  },
  openAssign: (assigning) => set({ assigning, error: null }),
  showMine: (mineOpen) => set({ mineOpen, error: null, notice: null }),
  assign: async (connection, physicianIds) => {
    const result = await api.call('connections:assign', { connectionId: connection.id, physicianIds: [...physicianIds] });
    if (!result.ok) {
      set({ error: result.error.message, notice: null });
      return false;
    }
    const count = result.value.physicians.length;
    set({
      error: null,
      assigning: null,
      notice:
        count === 0
          ? `${connection.user.name} has no physicians now and is back in review.`
          : `${connection.user.name} is connected to ${count === 1 ? 'one physician' : `${count} physicians`} and was told so.`,
    });
    await get().loadSite();
    return true;
  },
  setRole: async (connection, roleId) => {
    const result = await api.call('connections:set-role', { connectionId: connection.id, roleId });
    set(
      result.ok
        ? { error: null, notice: `${connection.user.name} now acts on this site’s studies as ${result.value.role?.name ?? 'their role'}.` }
        : { error: result.error.message, notice: null },
    );
    await get().loadSite();
  },
  decline: async (connection) => {
    const result = await api.call('connections:decline', { connectionId: connection.id });
    set(result.ok ? { error: null, notice: `${connection.user.name}’s request was declined; they were told.` } : { error: result.error.message, notice: null });
    await get().loadSite();
  },
  searchPhysicians: async (q) => {
    const result = await api.call('connections:physicians', { q });
    if (!result.ok) {
      set({ error: result.error.message });
      return [];
    }
    return result.value.physicians;
  },
  createPhysician: async (input) => {
    const result = await api.call('connections:create-physician', input);
    if (!result.ok) {
      set({ error: result.error.message });
      return null;
    }
    set({ error: null });
    return result.value;
  },
  request: async (site, kind) => {
    const result = await api.call('connections:request', { site, kind });
    if (!result.ok) {
      set({ error: result.error.message, notice: null });
      return false;
    }
    set({ error: null, notice: `Asked ${result.value.site.name}. Its administrators will review your request; you will be told by email and here.` });
    await get().loadMine();
    return true;
  },
}));
