import type { Tx } from '../store/database.ts'
import type { ServiceRow } from '../store/repos/services.ts'
import { routeTablesOfServiceEndpoints } from '../store/repos/endpoints.ts'
import { stableUuid } from './catalog.ts'
import { fail } from './errors.ts'

/** vpcep has no VPC service: a VPC's default route table gets a stable id derived from the VPC id. */
export function defaultRouteTable(vpcId: string): string {
  return stableUuid('default-route-table', vpcId)
}

/**
 * Route tables of a gateway endpoint must not already carry a route of another endpoint of the same
 * gateway service (EndPoint.2039). Route tables belong to the caller's VPCs, so only the caller's own
 * endpoints can hold them: another tenant naming the same id neither blocks nor learns anything.
 * Answers the de-duplicated list.
 */
export async function claimRouteTables(tx: Tx, projectId: string, serviceId: string, routetables: string[], exceptEndpointId?: string): Promise<string[]> {
  const wanted = [...new Set(routetables)]
  for (const other of await routeTablesOfServiceEndpoints(tx, projectId, serviceId, exceptEndpointId)) {
    const taken = other.routetables.find((table) => wanted.includes(table))
    if (taken) fail('routeTableInUse', `Route table ${taken} already routes to this service through endpoint ${other.id}.`)
  }
  return wanted
}

/**
 * Policies apply only where the service enables them: statements (OBS style) on gateway endpoints,
 * documents (IAM style) on interface endpoints. Stored and echoed as given.
 */
export function checkPolicies(service: Pick<ServiceRow, 'id' | 'serviceType' | 'enablePolicy'>, statement: unknown[] | undefined, document: unknown): void {
  if (statement === undefined && document === undefined) return
  if (service.enablePolicy !== 1) fail('parameterError', `Endpoint service ${service.id} does not enable endpoint policies.`)
  if (statement !== undefined && service.serviceType !== 'gateway') fail('parameterError', 'policy_statement applies to gateway endpoints; use policy_document.')
  if (document !== undefined && service.serviceType !== 'interface') fail('parameterError', 'policy_document applies to interface endpoints; use policy_statement.')
}
