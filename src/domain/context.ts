import type { Executor, Store } from '../store/database.ts'
import type { Clock } from './clock.ts'
import type { IdSource } from './ids.ts'
import type { AddressRange } from './ip-allocation.ts'
import type { TransitionPolicy, TransitionType } from './transitions.ts'

/** What every domain service needs: storage, time, ids and the few settings that shape behaviour. */
export interface DomainContext {
  store: Store
  clock: Clock
  ids: IdSource
  region: string
  /** When `creating` and `deleting` end, per resource type (settings, or the admin API's choice). */
  transitions: TransitionPolicy
  /** DNS zone under which endpoints with `enable_dns` get their private name. */
  dnsZone: string
  /** Per-project resource limits, checked at create. */
  quotas: { endpointService: number; endpoint: number }
  /** Loopback block endpoint addresses come from while a data plane forwards; undefined: VPC-style numbering. */
  endpointAddresses?: AddressRange
  /** Called after a commit that scheduled a state transition, so the reconciler can run it at once. */
  onTransitionScheduled(): void
}

export function dueAt(ctx: DomainContext, db: Executor, type: TransitionType, from: Date): Promise<string | null> {
  return ctx.transitions.dueAt(db, type, from)
}
