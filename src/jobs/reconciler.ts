import type { Tx } from '../store/database.ts'
import { recordEvents } from '../store/repos/events.ts'
import { deleteTagsOf } from '../store/repos/tags.ts'
import { toStoredTime } from '../domain/clock.ts'
import type { DomainContext } from '../domain/context.ts'
import { Loop } from './loop.ts'

interface DueRow {
  id: string
  projectId: string
  status: string
}

type Transition = (tx: Tx, row: DueRow, stamp: string) => Promise<boolean>

export interface ReconcilerLogger {
  error(details: object, message: string): void
}

/**
 * Advances due state transitions (creating → available / pendingAcceptance / accepted, deleting → gone).
 * Every transition first claims its row with a conditional update, so with several instances over one
 * database each due transition is applied exactly once; a transition missed by a crash is still due
 * and is picked up by the next run of any instance.
 */
export class Reconciler {
  /** Runs `drain` when kicked (kicks during a run coalesce into one more) and again when the next transition is due. */
  private readonly loop: Loop
  private stopping = false
  private lastHousekeepingMs = 0

  constructor(
    private readonly ctx: DomainContext,
    private readonly intervalMs: number,
    private readonly logger: ReconcilerLogger,
    /** How long outbox events are kept; older ones are pruned. */
    private readonly eventRetentionMs = 7 * 24 * 3600 * 1000,
    private readonly batchSize = 200,
  ) {
    this.loop = new Loop(() => this.drain(), (error) => this.logger.error({ err: error }, 'reconciler run failed; will retry'), intervalMs)
  }

  start(): void {
    this.stopping = false
    this.loop.start()
  }

  /** Runs soon; calls made while a run is under way coalesce into one more run. */
  kick(): void {
    this.loop.kick()
  }

  async stop(): Promise<void> {
    this.stopping = true
    await this.loop.stop()
  }

  /** Applies due transitions batch by batch until none is left; answers how long until the next is due. */
  private async drain(): Promise<number> {
    try {
      while ((await this.runOnce()) === this.batchSize && !this.stopping) {}
    } catch (error) {
      // Logged here rather than by the loop, so the next run still waits only until the next due transition.
      this.logger.error({ err: error }, 'reconciler run failed; will retry')
    }
    return this.delayUntilNextDue()
  }

  /** Applies every transition due now (at most `batchSize` per table); answers how many it applied. */
  async runOnce(): Promise<number> {
    const now = toStoredTime(this.ctx.clock.now())
    let applied = 0
    applied += await this.apply('endpointServices', 'creating', now, (tx, row, stamp) => this.serviceCreated(tx, row, stamp))
    applied += await this.apply('endpoints', 'creating', now, (tx, row, stamp) => this.endpointCreated(tx, row, stamp))
    applied += await this.apply('endpoints', 'deleting', now, (tx, row, stamp) => this.endpointDeleted(tx, row, stamp))
    applied += await this.apply('endpointServices', 'deleting', now, (tx, row, stamp) => this.serviceDeleted(tx, row, stamp))
    await this.housekeeping()
    return applied
  }

  /**
   * At most once a minute, not on every run (runs follow every create under load): drops expired tokens
   * and outbox events past their retention, a bounded batch at a time so no run holds the database long.
   */
  private async housekeeping(): Promise<void> {
    const nowMs = this.ctx.clock.now().getTime()
    if (nowMs - this.lastHousekeepingMs < 60_000) return
    this.lastHousekeepingMs = nowMs
    const db = this.ctx.store.db
    await db.deleteFrom('tokens').where('expiresAt', '<', toStoredTime(new Date(nowMs))).execute()
    const cutoff = toStoredTime(new Date(nowMs - this.eventRetentionMs))
    await db
      .deleteFrom('events')
      .where('seq', 'in', (eb) => eb.selectFrom('events').select('seq').where('occurredAt', '<', cutoff).orderBy('seq').limit(5000))
      .execute()
  }

  private async apply(table: 'endpointServices' | 'endpoints', status: string, now: string, transition: Transition): Promise<number> {
    const due = await this.ctx.store.db
      .selectFrom(table)
      .select(['id', 'projectId', 'status'])
      .where('transitionDueAt', '<=', now)
      .where('status', '=', status)
      .orderBy('transitionDueAt')
      .limit(this.batchSize)
      .execute()
    let applied = 0
    for (const row of due) {
      const done = await this.ctx.store.transaction(async (tx) => {
        const claimed = await tx
          .updateTable(table)
          .set({ transitionDueAt: null })
          .where('id', '=', row.id)
          .where('status', '=', row.status)
          .where('transitionDueAt', 'is not', null)
          .executeTakeFirst()
        if (Number(claimed.numUpdatedRows) === 0) return false
        return transition(tx, row, toStoredTime(this.ctx.clock.now()))
      })
      if (done) applied++
    }
    return applied
  }

  private async serviceCreated(tx: Tx, row: DueRow, stamp: string): Promise<boolean> {
    await tx.updateTable('endpointServices').set({ status: 'available', updatedAt: stamp }).where('id', '=', row.id).execute()
    await recordEvents(tx, [{ type: 'service.available', resourceType: 'endpoint_service', resourceId: row.id, projectId: row.projectId, occurredAt: stamp, payload: {} }])
    return true
  }

  private async endpointCreated(tx: Tx, row: DueRow, stamp: string): Promise<boolean> {
    const endpoint = await tx
      .selectFrom('endpoints')
      .innerJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
      .select(['endpoints.requiresApproval', 'endpoints.serviceId', 'endpoints.markerId', 'endpoints.accountId', 'endpointServices.projectId as serviceProjectId'])
      .where('endpoints.id', '=', row.id)
      .executeTakeFirstOrThrow()
    const status = endpoint.requiresApproval === 1 ? 'pendingAcceptance' : 'accepted'
    await tx.updateTable('endpoints').set({ status, updatedAt: stamp }).where('id', '=', row.id).execute()
    const payload = { serviceId: endpoint.serviceId, serviceProjectId: endpoint.serviceProjectId, domainId: endpoint.accountId, markerId: endpoint.markerId, from: 'creating', to: status }
    await recordEvents(tx, [{ type: `connection.${status}`, resourceType: 'endpoint', resourceId: row.id, projectId: row.projectId, occurredAt: stamp, payload }])
    return true
  }

  private async endpointDeleted(tx: Tx, row: DueRow, stamp: string): Promise<boolean> {
    // Who the endpoint was connected to goes into the event: once the row is gone, nothing else can tell.
    const gone = await tx
      .selectFrom('endpoints')
      .innerJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
      .select(['endpoints.serviceId', 'endpoints.markerId', 'endpoints.accountId', 'endpointServices.projectId as serviceProjectId'])
      .where('endpoints.id', '=', row.id)
      .executeTakeFirst()
    await deleteTagsOf(tx, 'endpoint', row.id)
    await tx.deleteFrom('endpoints').where('id', '=', row.id).execute()
    const payload = gone ? { serviceId: gone.serviceId, serviceProjectId: gone.serviceProjectId, domainId: gone.accountId, markerId: gone.markerId, from: 'deleting' } : {}
    await recordEvents(tx, [{ type: 'endpoint.deleted', resourceType: 'endpoint', resourceId: row.id, projectId: row.projectId, occurredAt: stamp, payload }])
    return true
  }

  /** A deleted service takes its remaining (pending, rejected or failed) endpoints with it (docs/decisions.md). */
  private async serviceDeleted(tx: Tx, row: DueRow, stamp: string): Promise<boolean> {
    const orphans = await tx.selectFrom('endpoints').select(['id', 'projectId', 'accountId', 'markerId', 'status']).where('serviceId', '=', row.id).execute()
    for (const orphan of orphans) {
      await deleteTagsOf(tx, 'endpoint', orphan.id)
      const payload = { reason: 'service deleted', serviceId: row.id, serviceProjectId: row.projectId, domainId: orphan.accountId, markerId: orphan.markerId, from: orphan.status }
      await recordEvents(tx, [{ type: 'endpoint.deleted', resourceType: 'endpoint', resourceId: orphan.id, projectId: orphan.projectId, occurredAt: stamp, payload }])
    }
    await tx.deleteFrom('endpoints').where('serviceId', '=', row.id).execute()
    await deleteTagsOf(tx, 'endpoint_service', row.id)
    await tx.deleteFrom('servicePermissions').where('serviceId', '=', row.id).execute()
    await tx.deleteFrom('endpointServices').where('id', '=', row.id).execute()
    await recordEvents(tx, [{ type: 'service.deleted', resourceType: 'endpoint_service', resourceId: row.id, projectId: row.projectId, occurredAt: stamp, payload: {} }])
    return true
  }

  /** Time until the earliest scheduled transition, capped by the polling interval. */
  private async delayUntilNextDue(): Promise<number> {
    try {
      const next = await Promise.all(
        (['endpointServices', 'endpoints'] as const).map((table) =>
          this.ctx.store.db.selectFrom(table).select('transitionDueAt').where('transitionDueAt', 'is not', null).orderBy('transitionDueAt').limit(1).executeTakeFirst(),
        ),
      )
      const earliest = next.map((r) => (r?.transitionDueAt ? Date.parse(r.transitionDueAt) : Infinity)).reduce((a, b) => Math.min(a, b), Infinity)
      return Math.max(5, Math.min(this.intervalMs, earliest - this.ctx.clock.now().getTime()))
    } catch {
      return this.intervalMs
    }
  }
}
