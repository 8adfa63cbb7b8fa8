import { recordEvents } from '../store/repos/events.ts'
import { findConnectionSides } from '../store/repos/endpoints.ts'
import { findResourceState, makeTransitionDue, markResourceFailed } from '../store/repos/lifecycle.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { TransitionMode, TransitionSetting, TransitionType } from './transitions.ts'

type WireSetting = { mode: TransitionMode; delay_ms: number }

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
      const current = await findResourceState(tx, type, id)
      if (!current) fail(type === 'endpoint' ? 'endpointNotFound' : 'resourceNotFound', `No ${type} ${id}.`)
      if (current.status !== 'creating' && current.status !== 'deleting') fail('parameterError', `The ${type} is ${current.status}; only creating and deleting resources have a transition to advance.`)
      await makeTransitionDue(tx, type, id, toStoredTime(this.ctx.clock.now()))
      return { id: current.id, status: current.status }
    })
    this.ctx.onTransitionScheduled()
    return row
  }

  /** Puts a resource in `failed` with the given error entries, as a failed provisioning would. */
  async fail(type: TransitionType, id: string, errors: Array<{ code: string; message: string }>): Promise<{ id: string; status: string }> {
    return this.ctx.store.transaction(async (tx) => {
      const current = await findResourceState(tx, type, id)
      if (!current) fail(type === 'endpoint' ? 'endpointNotFound' : 'resourceNotFound', `No ${type} ${id}.`)
      if (current.status === 'deleting') fail('parameterError', `The ${type} is being deleted.`)
      const connection = type === 'endpoint' ? await findConnectionSides(tx, id) : {}
      const stored = type === 'endpoint' ? errors.map((e) => ({ errorCode: e.code, errorMessage: e.message })) : errors
      const stamp = toStoredTime(this.ctx.clock.now())
      await markResourceFailed(tx, type, id, stored, stamp)
      await recordEvents(tx, [{ type: type === 'endpoint' ? 'connection.failed' : 'service.failed', resourceType: type, resourceId: id, projectId: current.projectId, occurredAt: stamp, payload: { ...connection, domainId: current.accountId, from: current.status, errors } }])
      return { id, status: 'failed' }
    })
  }
}
