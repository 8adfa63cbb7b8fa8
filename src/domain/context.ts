import type { Store } from '../store/database.ts'
import type { Clock } from './clock.ts'
import type { IdSource } from './ids.ts'

/** What every domain service needs: storage, time, ids and the few settings that shape behaviour. */
export interface DomainContext {
  store: Store
  clock: Clock
  ids: IdSource
  region: string
  /** How long `creating` and `deleting` last before the reconciler moves a resource on. */
  provisionDelayMs: number
  /** DNS zone under which endpoints with `enable_dns` get their private name. */
  dnsZone: string
  /** Per-project resource limits, checked at create. */
  quotas: { endpointService: number; endpoint: number }
  /** Called after a commit that scheduled a state transition, so the reconciler can run it at once. */
  onTransitionScheduled(): void
}

export function dueAt(ctx: DomainContext, from: Date): string {
  return new Date(from.getTime() + ctx.provisionDelayMs).toISOString()
}
