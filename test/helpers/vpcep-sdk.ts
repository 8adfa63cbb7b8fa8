import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js'
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js'
import log4js from 'log4js'
import type { NewAccount } from '../../src/identity/accounts.ts'

// The SDK core logs failed requests with their headers, Authorization included: keep test output clean of them.
log4js.configure({ appenders: { quiet: { type: 'stdout' } }, categories: { default: { appenders: ['quiet'], level: 'off' } } })

/*
 * The VPCEP SDK package (@huaweicloud/huaweicloud-sdk-vpcep) is not on the npm registry this project
 * installs from, so this client stands in for its generated VpcepClient: each method builds the same
 * request options the generated code builds and hands them to the official core's HcClient, which
 * signs (AKSKSigner), sends (axios) and turns error bodies into ClientRequestException exactly as it
 * does for VpcepClient. Method names are the SDK's operation names.
 */

type Query = Record<string, string | number | undefined>
type Body = Record<string, unknown>

export interface SdkResponse {
  httpStatusCode: number
  [field: string]: any
}

export class TestVpcepClient {
  constructor(private readonly hc: HcClient) {}

  private send(method: string, url: string, pathParams: Record<string, string>, queryParams: Query = {}, data?: Body): Promise<SdkResponse> {
    const query = Object.fromEntries(Object.entries(queryParams).filter(([, v]) => v !== undefined && v !== null))
    const options: any = { method, url, contentType: 'application/json', queryParams: query, pathParams, headers: {} }
    if (data !== undefined) options.data = data
    return this.hc.sendRequest<SdkResponse>(options) as Promise<SdkResponse>
  }

  listVersionDetails() {
    return this.send('GET', '/', {})
  }
  createEndpointService(body: Body) {
    return this.send('POST', '/v1/{project_id}/vpc-endpoint-services', {}, {}, body)
  }
  listEndpointService(query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoint-services', {}, query)
  }
  listServiceDetails(serviceId: string) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}', { vpc_endpoint_service_id: serviceId })
  }
  deleteEndpointService(serviceId: string) {
    return this.send('DELETE', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}', { vpc_endpoint_service_id: serviceId })
  }
  listServicePermissionsDetails(serviceId: string, query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions', { vpc_endpoint_service_id: serviceId }, query)
  }
  addOrRemoveServicePermissions(serviceId: string, body: Body) {
    return this.send('POST', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/action', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  batchAddEndpointServicePermissions(serviceId: string, body: Body) {
    return this.send('POST', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/batch-create', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  batchRemoveEndpointServicePermissions(serviceId: string, body: Body) {
    return this.send('POST', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/batch-delete', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  listServiceConnections(serviceId: string, query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections', { vpc_endpoint_service_id: serviceId }, query)
  }
  acceptOrRejectEndpoint(serviceId: string, body: Body) {
    return this.send('POST', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections/action', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  createEndpoint(body: Body) {
    return this.send('POST', '/v1/{project_id}/vpc-endpoints', {}, {}, body)
  }
  listEndpoints(query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoints', {}, query)
  }
  listEndpointInfoDetails(endpointId: string) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}', { vpc_endpoint_id: endpointId })
  }
  deleteEndpoint(endpointId: string) {
    return this.send('DELETE', '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}', { vpc_endpoint_id: endpointId })
  }
  listSpecifiedVersionDetails(version: string) {
    return this.send('GET', '/{version}', { version })
  }
  updateEndpointService(serviceId: string, body: Body) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  /** The SDK marks the body optional and sends `{}` without one. */
  updateEndpointServiceName(serviceId: string, body: Body = {}) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/name', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  listServiceDescribeDetails(query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoint-services/describe', {}, query)
  }
  listServicePublicDetails(query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/vpc-endpoint-services/public', {}, query)
  }
  updateEndpointServicePermissionDesc(serviceId: string, permissionId: string, body: Body) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/permissions/{permission_id}', { vpc_endpoint_service_id: serviceId, permission_id: permissionId }, {}, body)
  }
  updateEndpointConnectionsDesc(serviceId: string, body: Body) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/connections/description', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  updateEndpointWhite(endpointId: string, body: Body) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}', { vpc_endpoint_id: endpointId }, {}, body)
  }
  updateEndpointPolicy(endpointId: string, body: Body) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy', { vpc_endpoint_id: endpointId }, {}, body)
  }
  deleteEndpointPolicy(endpointId: string) {
    return this.send('DELETE', '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/policy', { vpc_endpoint_id: endpointId })
  }
  updateEndpointRoutetable(endpointId: string, body: Body) {
    return this.send('PUT', '/v1/{project_id}/vpc-endpoints/{vpc_endpoint_id}/routetables', { vpc_endpoint_id: endpointId }, {}, body)
  }
  listQuotaDetails(query: Query = {}) {
    return this.send('GET', '/v1/{project_id}/quotas', {}, query)
  }
  /**
   * The Node SDK sends this request with NO body (`data` undefined: empty payload hash). The documented
   * body (`action`, `enable_multi_server`) can be passed to exercise the other actions.
   */
  upgradeEndpointService(serviceId: string, body?: Body) {
    return this.send('POST', '/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/upgrade', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
  upgradeEndpoint(endpointId: string, body: Body) {
    return this.send('POST', '/v2/{project_id}/vpc-endpoints/{vpc_endpoint_id}/upgrade', { vpc_endpoint_id: endpointId }, {}, body)
  }
  addEndpointServiceServerResource(serviceId: string, body: Body) {
    return this.send('POST', '/v2/{project_id}/vpc-endpoint-services/{vpc_endpoint_service_id}/add-server-resources', { vpc_endpoint_service_id: serviceId }, {}, body)
  }
}

/** `VpcepClient.newBuilder().withCredential(...).withEndpoint(url).build()`, as users write it. */
export function sdkClient(url: string, account: Pick<NewAccount, 'accessKey' | 'secretKey' | 'projectId'>): TestVpcepClient {
  const credentials = new BasicCredentials().withAk(account.accessKey).withSk(account.secretKey).withProjectId(account.projectId)
  return new ClientBuilder<TestVpcepClient>((hc) => new TestVpcepClient(hc)).withCredential(credentials).withEndpoint(url).build()
}

/** Runs `call` and answers the SDK exception it raised; fails when it succeeded. */
export async function sdkError(call: Promise<unknown>): Promise<{ httpStatusCode: number; errorCode: string; errorMsg: string; requestId: string }> {
  try {
    await call
  } catch (error: any) {
    if (error?.httpStatusCode === undefined) throw error
    return error
  }
  throw new Error('expected the call to fail')
}
