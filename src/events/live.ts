import type { Store } from '../store/database.ts'
import type { StoredEvent } from '../store/repos/events.ts'
import { currentOutboxPosition, settledEventsAfter, type OutboxPosition } from './outbox-follower.ts'
import { Loop } from '../jobs/loop.ts'

/** What a live stream tells: that something changed, and where; the console reads the details itself. */
export interface LiveChange {
  type: string
  resource_type: string
  resource_id: string
  endpoint_service_id: string | null
  /** Whether the listening project owns the service concerned (it is the provider of this connection). */
  service_owner: boolean
  occurred_at: string
}

/** Outbox types about an endpoint that its service's owner sees too (they concern the connection). */
const CONNECTION_TYPES = /^(connection\.|endpoint\.(created|deleting|deleted)$)/

interface Listener {
  projectId: string
  send(change: LiveChange): void
  close(): void
}

/** The projects that may see an event: its own, and for a connection the service owner's. */
function projectsOf(event: StoredEvent): string[] {
  const serviceProjectId = event.payload.serviceProjectId
  if (event.resourceType === 'endpoint' && CONNECTION_TYPES.test(event.type) && typeof serviceProjectId === 'string' && serviceProjectId !== event.projectId) {
    return [event.projectId, serviceProjectId]
  }
  return [event.projectId]
}

function changeOf(event: StoredEvent, projectId: string): LiveChange {
  const serviceId = event.resourceType === 'endpoint_service' ? event.resourceId : event.payload.serviceId
  const serviceProjectId = event.resourceType === 'endpoint_service' ? event.projectId : event.payload.serviceProjectId
  return {
    type: event.type,
    resource_type: event.resourceType,
    resource_id: event.resourceId,
    endpoint_service_id: typeof serviceId === 'string' ? serviceId : null,
    service_owner: serviceProjectId === projectId,
    occurred_at: event.occurredAt,
  }
}

/**
 * Fans the outbox out to live streams (server-sent events), each confined to one project. It follows
 * the outbox only while someone listens, from the moment the first listener came: woken by this
 * process's commits, and polling for other instances'.
 */
export class LiveHub {
  private readonly listeners = new Set<Listener>()
  private position: OutboxPosition | undefined
  private readonly loop: Loop
  private unsubscribe: (() => void) | undefined

  constructor(
    private readonly store: Store,
    private readonly pollMs: number,
    onError: (error: unknown) => void,
  ) {
    this.loop = new Loop(() => this.follow(), onError, pollMs)
  }

  /** Adds a listener for `projectId`; answers the function that removes it. */
  async listen(projectId: string, send: (change: LiveChange) => void, close: () => void): Promise<() => void> {
    const listener: Listener = { projectId, send, close }
    this.listeners.add(listener)
    if (this.listeners.size === 1) {
      this.position = undefined
      this.unsubscribe = this.store.onOutboxCommit(() => this.loop.kick())
      const position = await currentOutboxPosition(this.store.db, this.store.dialect)
      // Still following (no one left meanwhile): start from now.
      if (this.listeners.has(listener) && this.position === undefined) this.position = position
      this.loop.start()
    }
    return () => this.remove(listener)
  }

  get size(): number {
    return this.listeners.size
  }

  /** Ends every stream (the server is closing). */
  async stop(): Promise<void> {
    for (const listener of [...this.listeners]) {
      listener.close()
      this.remove(listener)
    }
    await this.loop.stop()
  }

  private remove(listener: Listener): void {
    if (!this.listeners.delete(listener)) return
    if (this.listeners.size === 0) {
      this.unsubscribe?.()
      this.unsubscribe = undefined
      void this.loop.stop()
    }
  }

  private async follow(): Promise<number> {
    for (;;) {
      if (this.listeners.size === 0 || !this.position) return this.pollMs
      const batch = await settledEventsAfter(this.store.db, this.store.dialect, this.position, 500)
      this.position = batch.next
      for (const event of batch.events) {
        const projects = projectsOf(event)
        for (const listener of this.listeners) if (projects.includes(listener.projectId)) listener.send(changeOf(event, listener.projectId))
      }
      if (batch.events.length < 500) return this.pollMs
    }
  }
}
