import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, toPage } from '../schemas/common.ts'
import { ConnectionActionBody, ConnectionDescriptionBody, ConnectionsResponse, ListConnectionsQuery, ListConnectionsResponse, toWireConnection } from '../schemas/endpoints.ts'
import { ServiceParams } from '../schemas/services.ts'

export async function connectionRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { connections } = deps
  const tags = ['connections']
  const base = '/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/connections'

  app.get(base, {
    schema: { operationId: 'ListServiceConnections', tags, params: ServiceParams, querystring: ListConnectionsQuery, response: { 200: ListConnectionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const q = request.query
      const page = await connections.list(request.scope, request.params.vpc_endpoint_service_id, { id: q.id, markerId: q.marker_id, status: q.status }, toPage(q))
      return { connections: page.items.map(toWireConnection), total_count: page.totalCount }
    },
  })

  app.post(`${base}/action`, {
    schema: { operationId: 'AcceptOrRejectEndpoint', tags, params: ServiceParams, body: ConnectionActionBody, response: { 200: ConnectionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const decided = await connections.decide(request.scope, request.params.vpc_endpoint_service_id, request.body.action, request.body.endpoints)
      return { connections: decided.map(toWireConnection) }
    },
  })

  app.put(`${base}/description`, {
    schema: { operationId: 'UpdateEndpointConnectionsDesc', tags, params: ServiceParams, body: ConnectionDescriptionBody, response: { 200: ConnectionsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const described = await connections.describe(request.scope, request.params.vpc_endpoint_service_id, request.body.connections)
      return { connections: described.map(toWireConnection) }
    },
  })
}
