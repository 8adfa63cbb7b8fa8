import { findOwnServiceRow } from '../store/repos/services.ts'
import { assembleEndpoint, completeEndpoints, findConnectionRows, listConnectionRows, setConnectionDescription, type ConnectionFilter } from '../store/repos/endpoints.ts'
import { applyConnectionDecision } from '../store/repos/connection-decisions.ts'
import { recordEvents } from '../store/repos/events.ts'
import type { Executor } from '../store/database.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { Endpoint, EndpointStatus, Page, Paged, Scope } from '../model/resources.ts'

export type Decision = 'receive' | 'reject'

/** Which states each decision may start from, and where it leads (digest §5.2). */
export const DECISIONS: Record<Decision, { to: EndpointStatus; from: readonly EndpointStatus[] }> = {
  receive: { to: 'accepted', from: ['pendingAcceptance', 'rejected'] },
  reject: { to: 'rejected', from: ['pendingAcceptance', 'accepted'] },
}

/** How often a decision re-reads the connection when a concurrent writer changed it first. */
const DECISION_ATTEMPTS = 5

/** Connections: the provider's view of the endpoints of its services, and its decisions on them. */
export class Connections {
  constructor(private readonly ctx: DomainContext) {}

  async list(scope: Scope, serviceId: string, filter: ConnectionFilter, page: Page): Promise<Paged<Endpoint>> {
    return this.ctx.store.snapshot(async (db) => {
      await this.requireOwnService(db, scope, serviceId)
      const { items, totalCount } = await listConnectionRows(db, serviceId, filter, page)
      return { items: await completeEndpoints(db, items, this.ctx.dnsZone), totalCount }
    })
  }

  /**
   * Accepts (`receive`) or rejects one endpoint's connection to the caller's service. Repeating a
   * decision already in force changes nothing and answers the connection as it is.
   */
  async decide(scope: Scope, serviceId: string, action: string, endpointIds: string[]): Promise<Endpoint[]> {
    if (action !== 'receive' && action !== 'reject') fail('invalidAction', `action must be receive or reject, got "${action.slice(0, 32)}".`)
    if (endpointIds.length !== 1) fail('onlyOneEndpoint', `Exactly one endpoint per request; got ${endpointIds.length}.`)
    const endpointId = endpointIds[0]!
    const decision = DECISIONS[action]
    for (let attempt = 1; ; attempt++) {
      const stamp = toStoredTime(this.ctx.clock.now())
      // Reads, checks and (when the rules below allow) changes the connection and records its event, in one transaction.
      const { service, row, tags, applied } = await applyConnectionDecision(this.ctx.store, {
        scope, serviceId, endpointId, serviceStatus: 'available', from: decision.from, to: decision.to, stamp,
      })
      if (!service) fail('resourceNotFound', `Endpoint service ${serviceId} does not exist.`)
      if (service.status !== 'available') fail('serviceUnavailable', `Endpoint service ${serviceId} is ${service.status}.`)
      if (!row) fail('endpointNotOfService', `Endpoint ${endpointId} is not connected to endpoint service ${serviceId}.`)
      if (row.status === 'creating') fail('endpointCreating', `Endpoint ${endpointId} is still being created.`)
      if (row.status === 'deleting') fail('endpointDeleting', `Endpoint ${endpointId} is being deleted.`)
      if (row.status === 'failed') fail('parameterError', `Endpoint ${endpointId} failed to provision; it can only be deleted.`)
      if (row.status !== decision.to && !decision.from.includes(row.status as EndpointStatus)) {
        fail('parameterError', `A ${row.status} connection cannot be changed by ${action}.`)
      }
      if (row.status !== decision.to) {
        // Allowed, yet not applied: a concurrent writer changed the connection after it was read.
        if (!applied) {
          if (attempt >= DECISION_ATTEMPTS) fail('systemError', 'The connection kept changing; retry.')
          continue
        }
        row.status = decision.to
        row.updatedAt = stamp
      }
      return [assembleEndpoint({ row, service, tags }, this.ctx.dnsZone)]
    }
  }

  /** Sets the provider's descriptions of connections, all or nothing. */
  async describe(scope: Scope, serviceId: string, entries: Array<{ id: string; description: string }>): Promise<Endpoint[]> {
    if (entries.length === 0) fail('parameterError', 'connections must not be empty.')
    const descriptions = new Map(entries.map((e) => [e.id, e.description]))
    return this.ctx.store.transaction(async (tx) => {
      await this.requireOwnService(tx, scope, serviceId)
      const rows = await findConnectionRows(tx, serviceId, [...descriptions.keys()])
      const found = new Set(rows.map((r) => r.id))
      const missing = [...descriptions.keys()].find((id) => !found.has(id))
      if (missing) fail('endpointNotOfService', `Endpoint ${missing} is not connected to endpoint service ${serviceId}; nothing was changed.`)
      const stamp = toStoredTime(this.ctx.clock.now())
      for (const row of rows) {
        row.connectionDescription = descriptions.get(row.id)!
        row.updatedAt = stamp
        await setConnectionDescription(tx, row.id, row.connectionDescription, stamp)
      }
      await recordEvents(tx, rows.map((row) => ({ type: 'connection.described', resourceType: 'endpoint' as const, resourceId: row.id, projectId: row.projectId, occurredAt: stamp, payload: { serviceId } })))
      const order = [...descriptions.keys()]
      return completeEndpoints(tx, rows.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)), this.ctx.dnsZone)
    })
  }

  private async requireOwnService(db: Executor, scope: Scope, serviceId: string) {
    const row = await findOwnServiceRow(db, scope, serviceId)
    if (!row) fail('resourceNotFound', `Endpoint service ${serviceId} does not exist.`)
    return row
  }
}
