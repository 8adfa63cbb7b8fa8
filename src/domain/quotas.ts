import type { Executor, Tx } from '../store/database.ts'
import { countProjectResources } from '../store/repos/lifecycle.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { Scope } from '../model/resources.ts'

export const QUOTA_TYPES = ['endpoint_service', 'endpoint'] as const
export type QuotaType = (typeof QUOTA_TYPES)[number]

export interface QuotaUsage {
  type: QuotaType
  used: number
  quota: number
}

/*
 * A resource counts from its create until it is gone, whatever its state (creating, failed and deleting
 * included), so `used` is exactly what the list operations show.
 */
function usedBy(db: Executor, scope: Scope, type: QuotaType): Promise<number> {
  return countProjectResources(db, type, scope.projectId)
}

function limitOf(ctx: DomainContext, type: QuotaType): number {
  return type === 'endpoint_service' ? ctx.quotas.endpointService : ctx.quotas.endpoint
}

/** Refuses a create that would exceed the project's quota; call inside the create's transaction after locking the project. */
export async function enforceQuota(ctx: DomainContext, tx: Tx, scope: Scope, type: QuotaType): Promise<void> {
  const quota = limitOf(ctx, type)
  const used = await usedBy(tx, scope, type)
  if (used >= quota) fail('quotaExceeded', `The ${type} quota of this project is ${quota} and ${used} are in use.`)
}

export class Quotas {
  constructor(private readonly ctx: DomainContext) {}

  async list(scope: Scope, type?: QuotaType): Promise<QuotaUsage[]> {
    const types = type ? [type] : QUOTA_TYPES
    return Promise.all(types.map(async (t) => ({ type: t, used: await usedBy(this.ctx.store.db, scope, t), quota: limitOf(this.ctx, t) })))
  }
}
