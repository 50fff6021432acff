/** Typed events from the services to whichever transports are listening (IPC, SSE). */
import type { EventName, EventPayloads } from '../../../shared/contract';

type Listener = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();

  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    for (const listener of this.listeners) listener(name, payload);
  }

  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
