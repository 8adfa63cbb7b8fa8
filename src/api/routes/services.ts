import Type from 'typebox'
import type { FastifyRequest } from 'fastify'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, toPage } from '../schemas/common.ts'
import { ApiError } from '../../domain/errors.ts'
import {
  AddServerResourcesBody,
  CreateServiceBody,
  DescribeServiceQuery,
  DescribeServiceResponse,
  PublicServicesQuery,
  PublicServicesResponse,
  RenameServiceBody,
  RenameServiceResponse,
  UpdateServiceBody,
  UpgradeServiceBody,
  toUpdateServiceInput,
  toWireDescribe,
  toWirePublicService,
  ListServicesQuery,
  ListServicesResponse,
  ProjectParams,
  ServiceOut,
  ServiceParams,
  toCreateServiceInput,
  toWireService,
} from '../schemas/services.ts'

/**
 * Bodies the SDK may leave out entirely (the Node SDK sends UpgradeEndpointService with none): an absent
 * body is validated as `{}`. A schema-level Type.Optional does not do this, as the body is checked on its own.
 */
async function absentBodyIsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {}
}

export async function serviceRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { services, discovery, editions, poolId } = deps
  const tags = ['endpoint services']

  app.post('/v1/:project_id/vpc-endpoint-services', {
    schema: { operationId: 'CreateEndpointService', tags, params: ProjectParams, body: CreateServiceBody, response: { 200: ServiceOut, ...COMMON_ERRORS } },
    handler: async (request) => {
      if (request.body.pool_id !== undefined && request.body.pool_id !== poolId) {
        throw new ApiError('parameterError', `pool_id ${request.body.pool_id.slice(0, 64)} is not a pool of this region; its only pool is ${poolId}.`)
      }
      return toWireService(await services.create(request.scope, toCreateServiceInput(request.body)), poolId)
    },
  })

  app.get('/v1/:project_id/vpc-endpoint-services', {
    schema: { operationId: 'ListEndpointService', tags, params: ProjectParams, querystring: ListServicesQuery, response: { 200: ListServicesResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const q = request.query
      // Every service here runs on the VXLAN fabric; a VLAN filter therefore matches none.
      if (q.net_type === 'vlan' || (q.public_border_group !== undefined && q.public_border_group !== '')) return { endpoint_services: [], total_count: 0 }
      const page = await services.list(request.scope, { id: q.id, status: q.status, serverType: q.server_type, nameContains: q.endpoint_service_name }, toPage(q))
      return { endpoint_services: page.items.map((s) => toWireService(s, poolId)), total_count: page.totalCount }
    },
  })

  // Matched before /:vpc_endpoint_service_id: static segments win in the router.
  app.get('/v1/:project_id/vpc-endpoint-services/describe', {
    schema: { operationId: 'ListServiceDescribeDetails', tags, params: ProjectParams, querystring: DescribeServiceQuery, response: { 200: DescribeServiceResponse, ...COMMON_ERRORS } },
    handler: async (request) => toWireDescribe(await discovery.describe(request.scope, { id: request.query.id, name: request.query.endpoint_service_name })),
  })

  app.get('/v1/:project_id/vpc-endpoint-services/public', {
    schema: { operationId: 'ListServicePublicDetails', tags, params: ProjectParams, querystring: PublicServicesQuery, response: { 200: PublicServicesResponse, ...COMMON_ERRORS } },
    handler: async (request) => {
      const q = request.query
      const page = await discovery.listPublic({ id: q.id, nameContains: q.endpoint_service_name }, toPage(q))
      return { endpoint_services: page.items.map(toWirePublicService), total_count: page.totalCount }
    },
  })

  app.put('/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id', {
    schema: { operationId: 'UpdateEndpointService', tags, params: ServiceParams, body: UpdateServiceBody, response: { 200: ServiceOut, ...COMMON_ERRORS } },
    handler: async (request) => toWireService(await services.update(request.scope, request.params.vpc_endpoint_service_id, toUpdateServiceInput(request.body)), poolId),
  })

  app.put('/v1/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/name', {
    schema: { operationId: 'UpdateEndpointServiceName', tags, params: ServiceParams, body: Type.Optional(RenameServiceBody), response: { 200: RenameServiceResponse, ...COMMON_ERRORS } },
    preValidation: absentBodyIsEmpty,
    handler: async (request) => ({
      endpoint_service_name: await services.rename(request.scope, request.params.vpc_endpoint_service_id, request.body?.endpoint_service_name ?? ''),
    }),
  })

  app.post('/v2/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/upgrade', {
    schema: { operationId: 'UpgradeEndpointService', tags, params: ServiceParams, body: Type.Optional(UpgradeServiceBody), response: { 204: Type.Null(), ...COMMON_ERRORS } },
    preValidation: absentBodyIsEmpty,
    handler: async (request, reply) => {
      await editions.upgradeService(request.scope, request.params.vpc_endpoint_service_id, request.body?.action ?? 'upgrade', request.body?.enable_multi_server)
      return reply.code(204).send(null)
    },
  })

  app.post('/v2/:project_id/vpc-endpoint-services/:vpc_endpoint_service_id/add-server-resources', {
    schema: { operationId: 'AddEndpointServiceServerResource', tags, params: ServiceParams, body: AddServerResourcesBody, response: { 204: Type.Null(), ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      const resources = request.body.server_resources.map((r) => ({ resourceId: r.resource_id, availabilityZoneId: r.availability_zone_id ?? undefined }))
      await editions.addServerResources(request.scope, request.params.vpc_endpoint_service_id, resources)
      return reply.code(204).send(null)
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
