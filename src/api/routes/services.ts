import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, toPage } from '../schemas/common.ts'
import {
  CreateServiceBody,
  ListServicesQuery,
  ListServicesResponse,
  ProjectParams,
  ServiceOut,
  ServiceParams,
  toCreateServiceInput,
  toWireService,
} from '../schemas/services.ts'

export async function serviceRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { services, poolId } = deps
  const tags = ['endpoint services']

  app.post('/v1/:project_id/vpc-endpoint-services', {
    schema: { operationId: 'CreateEndpointService', tags, params: ProjectParams, body: CreateServiceBody, response: { 200: ServiceOut, ...COMMON_ERRORS } },
    handler: async (request) => toWireService(await services.create(request.scope, toCreateServiceInput(request.body)), poolId),
  })

  app.get('/v1/:project_id/vpc-endpoint-services', {
    schema: { operationId: 'ListEndpointService', tags, params: ProjectParams, querystring: ListServicesQuery, response: { 200: ListServicesResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const q = request.query
      // Every service here runs on the VXLAN fabric; a VLAN filter therefore matches none.
      if (q.net_type === 'vlan' || (q.public_border_group !== undefined && q.public_border_group !== '')) return { endpoint_services: [], total_count: 0 }
      const page = await services.list(request.scope, { id: q.id, status: q.status, nameContains: q.endpoint_service_name }, toPage(q))
      return { endpoint_services: page.items.map((s) => toWireService(s, poolId)), total_count: page.totalCount }
    },
  })

  app.get('/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id', {
    schema: { operationId: 'ListServiceDetails', tags, params: ServiceParams, response: { 200: ServiceOut, ...COMMON_ERRORS } },
    handler: async (request) => toWireService(await services.get(request.scope, request.params.vpc_endpoint_service_id), poolId),
  })

  app.delete('/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id', {
    schema: { operationId: 'DeleteEndpointService', tags, params: ServiceParams, response: { 204: Type.Null(), ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      await services.delete(request.scope, request.params.vpc_endpoint_service_id)
      return reply.code(204).send(null)
    },
  })
}
