import { randomUUID } from 'node:crypto'
import { signedRequest, type SigningKey } from './signed.ts'
import { VPC, SUBNET } from './fixtures.ts'
import { eventually } from './server.ts'

/*
 * A small AK/SK-signed client for load and race tests: every call answers { status, body } instead of
 * throwing on 4xx, so a test can fire hundreds of calls with Promise.all and count the outcomes. A
 * transport failure (connection refused or reset, e.g. a killed server) still rejects.
 */

export interface Reply {
  status: number
  body: any
}

export class ApiClient {
  constructor(
    readonly url: string,
    readonly key: SigningKey,
  ) {}

  /** `path` is relative to `/v1/{project_id}`. */
  async call(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<Reply> {
    const result = await signedRequest(this.url, this.key, { method, path: `/v1/${this.key.projectId}${path}`, body, query })
    return { status: result.status, body: result.json }
  }

  createService(extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.call('POST', '/vpc-endpoint-services', { port_id: randomUUID(), vpc_id: VPC, server_type: 'VM', ports: [{ client_port: 8080, server_port: 80, protocol: 'TCP' }], ...extra })
  }

  service(id: string): Promise<Reply> {
    return this.call('GET', `/vpc-endpoint-services/${id}`)
  }

  listServices(): Promise<Reply> {
    return this.call('GET', '/vpc-endpoint-services', undefined, { limit: 1000 })
  }

  addPermissions(serviceId: string, permissions: string[]): Promise<Reply> {
    return this.call('POST', `/vpc-endpoint-services/${serviceId}/permissions/batch-create`, { permissions: permissions.map((permission) => ({ permission })) })
  }

  removePermissions(serviceId: string, ids: string[]): Promise<Reply> {
    return this.call('POST', `/vpc-endpoint-services/${serviceId}/permissions/batch-delete`, { permissions: ids.map((id) => ({ id })) })
  }

  listPermissions(serviceId: string): Promise<Reply> {
    return this.call('GET', `/vpc-endpoint-services/${serviceId}/permissions`, undefined, { limit: 500 })
  }

  connections(serviceId: string, query: Record<string, string | number> = {}): Promise<Reply> {
    return this.call('GET', `/vpc-endpoint-services/${serviceId}/connections`, undefined, { limit: 1000, ...query })
  }

  decide(serviceId: string, action: 'receive' | 'reject', endpointId: string): Promise<Reply> {
    return this.call('POST', `/vpc-endpoint-services/${serviceId}/connections/action`, { action, endpoints: [endpointId] })
  }

  createEndpoint(serviceId: string, extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.call('POST', '/vpc-endpoints', { endpoint_service_id: serviceId, vpc_id: VPC, subnet_id: SUBNET, ...extra })
  }

  endpoint(id: string): Promise<Reply> {
    return this.call('GET', `/vpc-endpoints/${id}`)
  }

  listEndpoints(): Promise<Reply> {
    return this.call('GET', '/vpc-endpoints', undefined, { limit: 1000 })
  }
}

/** Fails with the reply when `reply.status` is not `status`. */
export function expectStatus(reply: Reply, status: number, what: string): any {
  if (reply.status !== status) throw new Error(`${what}: expected HTTP ${status}, got ${reply.status} ${JSON.stringify(reply.body)}`)
  return reply.body
}

/** Creates a service and waits until it is `available`; answers its details. */
export async function availableServiceOf(api: ApiClient, extra: Record<string, unknown> = {}, timeoutMs = 10000): Promise<any> {
  const created = expectStatus(await api.createService(extra), 200, 'create service')
  return eventually(async () => {
    const details = expectStatus(await api.service(created.id), 200, 'service details')
    return details.status === 'available' ? details : undefined
  }, `service ${created.id} available`, timeoutMs)
}

/** Waits until the endpoint has left `creating`; answers its details. */
export function settledEndpointOf(api: ApiClient, id: string, timeoutMs = 10000): Promise<any> {
  return eventually(async () => {
    const details = expectStatus(await api.endpoint(id), 200, 'endpoint details')
    return details.status === 'creating' ? undefined : details
  }, `endpoint ${id} settled`, timeoutMs)
}
