import Type from 'typebox'
import type { Api, RouteDeps } from './context.ts'
import { COMMON_ERRORS, ProjectParams, toPage } from '../schemas/common.ts'
import {
  CreateEndpointBody,
  EndpointOut,
  EndpointParams,
  ListEndpointsQuery,
  ListEndpointsResponse,
  RouteTablesBody,
  RouteTablesResponse,
  UpdateEndpointWhitelistBody,
  UpdatePolicyBody,
  UpgradeEndpointBody,
  toCreateEndpointInput,
  toWireEndpoint,
} from '../schemas/endpoints.ts'

/** A 202 that sends nothing: documented as null (what the reference shows), typed as no payload at all. */
const NO_BODY = Type.Unsafe<undefined>(Type.Null())

export async function endpointRoutes(app: Api, deps: RouteDeps): Promise<void> {
  const { endpoints, endpointSettings, editions, poolId } = deps
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

  app.put('/v1/:project_id/vpc-endpoints/:vpc_endpoint_id', {
    schema: { operationId: 'UpdateEndpointWhite', tags, params: EndpointParams, body: UpdateEndpointWhitelistBody, response: { 200: EndpointOut, ...COMMON_ERRORS } },
    handler: async (request) => {
      const { whitelist, enable_whitelist } = request.body
      return toWireEndpoint(await endpointSettings.updateWhitelist(request.scope, request.params.vpc_endpoint_id, { whitelist, enableWhitelist: enable_whitelist }), poolId)
    },
  })

  app.put('/v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy', {
    schema: { operationId: 'UpdateEndpointPolicy', tags, params: EndpointParams, body: UpdatePolicyBody, response: { 200: EndpointOut, ...COMMON_ERRORS } },
    handler: async (request) => {
      const policy = { statement: request.body.policy_statement, document: request.body.policy_document }
      return toWireEndpoint(await endpointSettings.updatePolicy(request.scope, request.params.vpc_endpoint_id, policy), poolId)
    },
  })

  // Unlike the other deletes, this one answers 200 with the endpoint (digest §4.6.2).
  app.delete('/v1/:project_id/vpc-endpoints/:vpc_endpoint_id/policy', {
    schema: { operationId: 'DeleteEndpointPolicy', tags, params: EndpointParams, response: { 200: EndpointOut, ...COMMON_ERRORS } },
    handler: async (request) => toWireEndpoint(await endpointSettings.deletePolicy(request.scope, request.params.vpc_endpoint_id), poolId),
  })

  app.put('/v1/:project_id/vpc-endpoints/:vpc_endpoint_id/routetables', {
    schema: { operationId: 'UpdateEndpointRoutetable', tags, params: EndpointParams, body: RouteTablesBody, response: { 200: RouteTablesResponse, ...COMMON_ERRORS } },
    handler: async (request) => ({
      routetables: await endpointSettings.updateRouteTables(request.scope, request.params.vpc_endpoint_id, request.body.routetables),
      error: [],
    }),
  })

  app.post('/v2/:project_id/vpc-endpoints/:vpc_endpoint_id/upgrade', {
    schema: { operationId: 'UpgradeEndpoint', tags, params: EndpointParams, body: UpgradeEndpointBody, response: { 202: NO_BODY, ...COMMON_ERRORS } },
    handler: async (request, reply) => {
      await editions.upgradeEndpoint(request.scope, request.params.vpc_endpoint_id, request.body.action)
      // No body at all: a JSON `null` would crash the Node SDK, which sets httpStatusCode on any object it
      // parses. (Unlike 204, a 202 keeps what it is sent; `undefined` sends nothing.)
      return reply.code(202).send()
    },
  })
}
