import { findServiceRowByIdOrName, completeServices, listPublicServices } from '../store/repos/services.ts'
import { hasAnyPermission } from '../store/repos/permissions.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { EndpointService, Page, Paged, Scope } from '../model/resources.ts'
import { admittingRecords } from './whitelist.ts'

/** Consumer-side lookups: finding a service to connect to without seeing its internals. */
export class ServiceDiscovery {
  constructor(private readonly ctx: DomainContext) {}

  /**
   * A service by exact full name or id. Visible to its owner, to accounts its whitelist admits, and to
   * everyone for public services; to anyone else it does not exist (docs/decisions.md).
   */
  async describe(scope: Scope, lookup: { id?: string; name?: string }): Promise<EndpointService> {
    if ((lookup.id === undefined) === (lookup.name === undefined)) {
      fail('parameterError', 'Give exactly one of endpoint_service_name and id.')
    }
    const db = this.ctx.store.db
    const row = await findServiceRowByIdOrName(db, lookup)
    const visible =
      row !== undefined &&
      (row.isPublic === 1 || row.accountId === scope.accountId || (await hasAnyPermission(db, row.id, admittingRecords(scope.accountId), this.ctx.store.dialect)))
    if (!visible) fail('serviceDoesNotExist', `No endpoint service ${lookup.id ?? lookup.name} is visible to this account.`)
    const [service] = await completeServices(db, [row!])
    return service!
  }

  listPublic(filter: { id?: string; nameContains?: string }, page: Page): Promise<Paged<EndpointService>> {
    return this.ctx.store.snapshot((db) => listPublicServices(db, filter, page))
  }
}
