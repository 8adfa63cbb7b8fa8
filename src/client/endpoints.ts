import { pathOf, type Transport } from './transport.ts'
import type { CreateEndpointRequest, Endpoint, EndpointList, ListEndpointsParams, UpdateEndpointRequest } from './types.ts'

/** Endpoints, the consumer side (digest §4.5). */
export class EndpointsApi {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  private get base(): string {
    return pathOf`/v1/${this.projectId}/vpc-endpoints`
  }

  /** CreateEndpoint: answers the new endpoint, normally `creating`. */
  async create(body: CreateEndpointRequest): Promise<Endpoint> {
    return (await this.transport.request<Endpoint>({ method: 'POST', path: this.base, body, projectId: this.projectId })).body
  }

  /** ListEndpoints. */
  async list(query: ListEndpointsParams = {}): Promise<EndpointList> {
    return (await this.transport.request<EndpointList>({ method: 'GET', path: this.base, query, projectId: this.projectId })).body
  }

  /** ListEndpointInfoDetails; 404 once the endpoint is gone. */
  async show(id: string): Promise<Endpoint> {
    return (await this.transport.request<Endpoint>({ method: 'GET', path: `${this.base}${pathOf`/${id}`}`, projectId: this.projectId })).body
  }

  /** UpdateEndpointWhite: `whitelist` replaces the endpoint's IP ACL. */
  async update(id: string, body: UpdateEndpointRequest): Promise<Endpoint> {
    return (await this.transport.request<Endpoint>({ method: 'PUT', path: `${this.base}${pathOf`/${id}`}`, body, projectId: this.projectId })).body
  }

  /** DeleteEndpoint: 204; the endpoint goes `deleting`, then disappears. */
  async delete(id: string): Promise<void> {
    await this.transport.request<undefined>({ method: 'DELETE', path: `${this.base}${pathOf`/${id}`}`, projectId: this.projectId })
  }
}
