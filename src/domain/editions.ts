import { findOwnEndpointRow, findProfessionalEndpoint, makeEndpointProfessional } from '../store/repos/endpoints.ts'
import { findServiceRowOfEndpoint, setServerResources, setServiceEditions } from '../store/repos/services.ts'
import { recordEvents } from '../store/repos/events.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { Scope } from '../model/resources.ts'
import { lockAvailableService } from './endpoint-services.ts'

/** Backends one multi-server service may hold (digest §4.9.3 gives no number; docs/decisions.md). */
export const MAX_SERVER_RESOURCES = 20

/** The professional edition (digest §4.9): service and endpoint upgrades, multi-backend services. */
export class Editions {
  constructor(private readonly ctx: DomainContext) {}

  /**
   * `upgrade` lets the service accept professional endpoints; `rollback` returns it to basic only,
   * refused while a professional endpoint is connected.
   */
  async upgradeService(scope: Scope, serviceId: string, action: string, enableMultiServer: boolean | undefined): Promise<void> {
    if (action !== 'upgrade' && action !== 'rollback') fail('invalidAction', `action must be upgrade or rollback, got "${action.slice(0, 32)}".`)
    const { store, clock } = this.ctx
    await store.transaction(async (tx) => {
      const row = await lockAvailableService(tx, store.dialect, scope, serviceId)
      if (action === 'rollback') {
        const professional = await findProfessionalEndpoint(tx, serviceId)
        if (professional) fail('serviceInUse', `Professional endpoint ${professional.id} is connected; delete it before rolling back.`)
      }
      const stamp = toStoredTime(clock.now())
      await setServiceEditions(
        tx,
        serviceId,
        {
          supportedEditions: action === 'upgrade' ? ['basic', 'profession'] : ['basic'],
          enableMultiServer: action === 'upgrade' && (enableMultiServer === true || row.enableMultiServer === 1),
        },
        stamp,
      )
      await recordEvents(tx, [{ type: `service.${action}`, resourceType: 'endpoint_service', resourceId: serviceId, projectId: scope.projectId, occurredAt: stamp, payload: { enableMultiServer } }])
    })
  }

  /** Makes a basic endpoint professional; its service must accept professional endpoints. */
  async upgradeEndpoint(scope: Scope, endpointId: string, action: string): Promise<void> {
    if (action !== 'start') fail('invalidEndpointAction', `action must be start, got "${action.slice(0, 32)}".`)
    const { store, clock } = this.ctx
    await store.transaction(async (tx) => {
      const row = await findOwnEndpointRow(tx, scope, endpointId)
      if (!row) fail('endpointNotFound', `Endpoint ${endpointId} does not exist.`)
      if (row.status === 'deleting') fail('endpointDeleting', `Endpoint ${endpointId} is being deleted.`)
      if (row.status === 'creating') fail('endpointCreating', `Endpoint ${endpointId} is still being created.`)
      const service = await findServiceRowOfEndpoint(tx, row.serviceId)
      if (!(JSON.parse(service.supportedEditions) as string[]).includes('profession')) {
        fail('invalidSpecification', `The endpoint service of ${endpointId} does not accept professional endpoints yet.`)
      }
      if (row.edition === 'profession') return
      const stamp = toStoredTime(clock.now())
      await makeEndpointProfessional(tx, endpointId, stamp)
      await recordEvents(tx, [{ type: 'endpoint.upgraded', resourceType: 'endpoint', resourceId: endpointId, projectId: scope.projectId, occurredAt: stamp, payload: {} }])
    })
  }

  /** Adds load-balancer backends to a multi-server service; a backend already present is kept once. */
  async addServerResources(scope: Scope, serviceId: string, resources: Array<{ resourceId: string; availabilityZoneId?: string }>): Promise<void> {
    if (resources.length === 0) fail('parameterError', 'server_resources must not be empty.')
    const { store, clock } = this.ctx
    await store.transaction(async (tx) => {
      const row = await lockAvailableService(tx, store.dialect, scope, serviceId)
      if (row.serverType !== 'LB') fail('invalidServerType', 'Only LB endpoint services take several backends.')
      const current = JSON.parse(row.serverResources) as Array<{ resourceId: string; availabilityZoneId: string }>
      const byId = new Map(current.map((r) => [r.resourceId, r]))
      for (const r of resources) byId.set(r.resourceId, { resourceId: r.resourceId, availabilityZoneId: r.availabilityZoneId ?? '' })
      if (byId.size > MAX_SERVER_RESOURCES) fail('batchTooLarge', `A service has at most ${MAX_SERVER_RESOURCES} backends.`)
      const stamp = toStoredTime(clock.now())
      await setServerResources(tx, serviceId, [...byId.values()], stamp)
      await recordEvents(tx, [{ type: 'service.server_resources_added', resourceType: 'endpoint_service', resourceId: serviceId, projectId: scope.projectId, occurredAt: stamp, payload: { resources: resources.map((r) => r.resourceId) } }])
    })
  }
}
