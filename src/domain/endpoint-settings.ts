import type { Tx } from '../store/database.ts'
import { completeEndpoints, findOwnEndpointRow, updateEndpointSettings, type EndpointRow, type EndpointSettingsChange } from '../store/repos/endpoints.ts'
import { recordEvents } from '../store/repos/events.ts'
import { findServiceRowOfEndpoint, type ServiceRow } from '../store/repos/services.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import { checkPolicies, claimRouteTables, defaultRouteTable } from './gateway.ts'
import { validateAcl } from './ip-allocation.ts'
import type { Endpoint, Scope } from '../model/resources.ts'

/** The consumer's settings on an endpoint: IP access list, policies and gateway route tables. */
export class EndpointSettings {
  constructor(private readonly ctx: DomainContext) {}

  /** Replaces the IP access list and/or switches it on or off (interface endpoints only). */
  updateWhitelist(scope: Scope, id: string, change: { whitelist?: string[]; enableWhitelist?: boolean }): Promise<Endpoint> {
    return this.change(scope, id, 'endpoint.whitelist_updated', async (_tx, row, service) => {
      if (service.serviceType !== 'interface') fail('parameterError', 'Gateway endpoints have no IP whitelist.')
      const update: EndpointSettingsChange = {}
      if (change.whitelist !== undefined) update.whitelist = validateAcl(change.whitelist)
      if (change.enableWhitelist !== undefined) update.enableWhitelist = change.enableWhitelist
      return update
    })
  }

  updatePolicy(scope: Scope, id: string, policy: { statement?: unknown[]; document?: Record<string, unknown> }): Promise<Endpoint> {
    return this.change(scope, id, 'endpoint.policy_updated', async (_tx, _row, service) => {
      if (policy.statement === undefined && policy.document === undefined) fail('parameterError', 'Give policy_statement or policy_document.')
      checkPolicies(service, policy.statement, policy.document)
      const update: EndpointSettingsChange = {}
      if (policy.statement !== undefined) update.policyStatement = policy.statement
      if (policy.document !== undefined) update.policyDocument = policy.document
      return update
    })
  }

  /** Back to full access: both policy forms cleared. */
  deletePolicy(scope: Scope, id: string): Promise<Endpoint> {
    return this.change(scope, id, 'endpoint.policy_deleted', async () => ({ policyStatement: [], policyDocument: null }))
  }

  /** Binds exactly `routetables` (gateway endpoints); an empty list falls back to the VPC's default table. */
  async updateRouteTables(scope: Scope, id: string, routetables: string[]): Promise<string[]> {
    const endpoint = await this.change(scope, id, 'endpoint.routetables_updated', async (tx, row, service) => {
      if (service.serviceType !== 'gateway') fail('noRouteTable', 'Only gateway endpoints are bound to route tables.')
      const tables = await claimRouteTables(tx, row.projectId, service.id, routetables.length ? routetables : [defaultRouteTable(row.vpcId)], row.id)
      return { routetables: tables }
    })
    return endpoint.routetables
  }

  private async change(scope: Scope, id: string, event: string, decide: (tx: Tx, row: EndpointRow, service: ServiceRow) => Promise<EndpointSettingsChange>): Promise<Endpoint> {
    const { store, clock, dnsZone } = this.ctx
    return store.transaction(async (tx) => {
      const row = await findOwnEndpointRow(tx, scope, id)
      if (!row) fail('endpointNotFound', `Endpoint ${id} does not exist.`)
      if (row.status === 'deleting') fail('endpointDeleting', `Endpoint ${id} is being deleted.`)
      if (row.status === 'creating') fail('endpointCreating', `Endpoint ${id} is still being created.`)
      const service = await findServiceRowOfEndpoint(tx, row.serviceId)
      const update = await decide(tx, row, service)
      const stamp = toStoredTime(clock.now())
      await updateEndpointSettings(tx, id, update, stamp)
      await recordEvents(tx, [{ type: event, resourceType: 'endpoint', resourceId: id, projectId: scope.projectId, occurredAt: stamp, payload: { fields: Object.keys(update) } }])
      const fresh = await findOwnEndpointRow(tx, scope, id)
      const [endpoint] = await completeEndpoints(tx, [fresh!], dnsZone)
      return endpoint!
    })
  }
}
