import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, ProjectParams, toPage } from '../schemas/common.ts'
import { CreateEndpointBody, EndpointOut, EndpointParams, ListEndpointsQuery, ListEndpointsResponse, toCreateEndpointInput, toWireEndpoint } from '../schemas/endpoints.ts'

export async function endpointRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { endpoints, poolId } = deps
  const tags = ['endpoints']

  app.post('/v1/:project_id/vpc-endpoints', {
    schema: { operationId: 'CreateEndpoint', tags, params: ProjectParams, body: CreateEndpointBody, response: { 200: EndpointOut, ...COMMON_ERRORS } },
    handler: async (request) => toWireEndpoint(await endpoints.create(request.scope, toCreateEndpointInput(request.body)), poolId),
  })

  app.get('/v1/:project_id/vpc-endpoints', {
    schema: { operationId: 'ListEndpoints', tags, params: ProjectParams, querystring: ListEndpointsQuery, response: { 200: ListEndpointsResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const q = request.query
      if (q.public_border_group !== undefined && q.public_border_group !== '') return { endpoints: [], total_count: 0 }
      const page = await endpoints.list(request.scope, { id: q.id, vpcId: q.vpc_id, serviceNameContains: q.endpoint_service_name }, toPage(q))
      return { endpoints: page.items.map((e) => toWireEndpoint(e, poolId)), total_count: page.totalCount }
    },
  })

  app.get('/v1/:project_id/vpc-endpoints/:vpc_endpoint_id', {
    schema: { operationId: 'ListEndpointInfoDetails', tags, params: EndpointParams, response: { 200: EndpointOut, ...COMMON_ERRORS } },
    handler: async (request) => toWireEndpoint(await endpoints.get(request.scope, request.params.vpc_endpoint_id), poolId),
  })

  app.delete('/v1/:project_id/vpc-endpoints/:vpc_endpoint_id', {
    schema: { operationId: 'DeleteEndpoint', tags, params: EndpointParams, response: { 204: Type.Null(), ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      await endpoints.delete(request.scope, request.params.vpc_endpoint_id)
      return reply.code(204).send(null)
    },
  })
}
