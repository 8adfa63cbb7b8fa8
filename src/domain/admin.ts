import { recordEvents } from '../store/repos/events.ts'
import type { Tx } from '../store/database.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { TransitionMode, TransitionSetting, TransitionType } from './transitions.ts'

type WireSetting = { mode: TransitionMode; delay_ms: number }

const TABLE = { endpoint_service: 'endpointServices', endpoint: 'endpoints' } as const

/** The service an endpoint is connected to and its owner, for the outbox event that tells both sides. */
async function connectionOf(tx: Tx, endpointId: string): Promise<{ serviceId?: string; serviceProjectId?: string; markerId?: number }> {
  const row = await tx
    .selectFrom('endpoints')
    .innerJoin('endpointServices', 'endpointServices.id', 'endpoints.serviceId')
    .select(['endpoints.serviceId', 'endpoints.markerId', 'endpointServices.projectId as serviceProjectId'])
    .where('endpoints.id', '=', endpointId)
    .executeTakeFirst()
  return row ?? {}
}

/** Operator and test-support actions across tenants; reachable only through the token-guarded admin API. */
export class Admin {
  constructor(private readonly ctx: DomainContext) {}

  async transitionSettings(): Promise<Record<TransitionType, WireSetting>> {
    const db = this.ctx.store.db
    const wire = (s: TransitionSetting): WireSetting => ({ mode: s.mode, delay_ms: s.delayMs })
    return {
      endpoint_service: wire(await this.ctx.transitions.setting(db, 'endpoint_service')),
      endpoint: wire(await this.ctx.transitions.setting(db, 'endpoint')),
    }
  }

  async setTransitions(type: TransitionType, mode: TransitionMode, delayMs: number): Promise<Record<TransitionType, WireSetting>> {
    await this.ctx.transitions.set(this.ctx.store.db, type, { mode, delayMs })
    return this.transitionSettings()
  }

  async resetTransitions(): Promise<Record<TransitionType, WireSetting>> {
    await this.ctx.transitions.reset(this.ctx.store.db)
    return this.transitionSettings()
  }

  /** Makes the resource's pending transition due now (the way to move on in `manual` mode). */
  async advance(type: TransitionType, id: string): Promise<{ id: string; status: string }> {
    const row = await this.ctx.store.transaction(async (tx) => {
      const current = await tx.selectFrom(TABLE[type]).select(['id', 'status']).where('id', '=', id).executeTakeFirst()
      if (!current) fail(type === 'endpoint' ? 'endpointNotFound' : 'resourceNotFound', `No ${type} ${id}.`)
      if (current.status !== 'creating' && current.status !== 'deleting') fail('parameterError', `The ${type} is ${current.status}; only creating and deleting resources have a transition to advance.`)
      await tx.updateTable(TABLE[type]).set({ transitionDueAt: toStoredTime(this.ctx.clock.now()) }).where('id', '=', id).execute()
      return current
    })
    this.ctx.onTransitionScheduled()
    return row
  }

  /** Puts a resource in `failed` with the given error entries, as a failed provisioning would. */
  async fail(type: TransitionType, id: string, errors: Array<{ code: string; message: string }>): Promise<{ id: string; status: string }> {
    return this.ctx.store.transaction(async (tx) => {
      const current = await tx.selectFrom(TABLE[type]).select(['id', 'status', 'projectId', 'accountId']).where('id', '=', id).executeTakeFirst()
      if (!current) fail(type === 'endpoint' ? 'endpointNotFound' : 'resourceNotFound', `No ${type} ${id}.`)
      if (current.status === 'deleting') fail('parameterError', `The ${type} is being deleted.`)
      const connection = type === 'endpoint' ? await connectionOf(tx, id) : {}
      const stored = type === 'endpoint' ? errors.map((e) => ({ errorCode: e.code, errorMessage: e.message })) : errors
      const stamp = toStoredTime(this.ctx.clock.now())
      await tx.updateTable(TABLE[type]).set({ status: 'failed', errors: JSON.stringify(stored), transitionDueAt: null, updatedAt: stamp }).where('id', '=', id).execute()
      await recordEvents(tx, [{ type: type === 'endpoint' ? 'connection.failed' : 'service.failed', resourceType: type, resourceId: id, projectId: current.projectId, occurredAt: stamp, payload: { ...connection, domainId: current.accountId, from: current.status, errors } }])
      return { id, status: 'failed' }
    })
  }
}
