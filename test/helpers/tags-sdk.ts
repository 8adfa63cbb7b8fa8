import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder.js'
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js'
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js'
import type { NewAccount } from '../../src/identity/accounts.ts'
import type { SdkResponse } from './vpcep-sdk.ts'

/*
 * The three tag operations of the SDK's VpcepClient, built as the generated code builds them and sent
 * through the official core's HcClient (signing, errors), like test/helpers/vpcep-sdk.ts does for the rest.
 */

type Body = Record<string, unknown>

export class TestTagsClient {
  constructor(private readonly hc: HcClient) {}

  private send(method: string, url: string, pathParams: Record<string, string>, data?: Body, extra: Record<string, unknown> = {}): Promise<SdkResponse> {
    const options: any = { method, url, contentType: 'application/json', queryParams: {}, pathParams, headers: {}, ...extra }
    if (data !== undefined) options.data = data
    return this.hc.sendRequest<SdkResponse>(options) as Promise<SdkResponse>
  }

  batchAddOrRemoveResourceInstance(resourceType: string, resourceId: string, body: Body) {
    return this.send('POST', '/v1/{project_id}/{resource_type}/{resource_id}/tags/action', { resource_type: resourceType, resource_id: resourceId }, body)
  }

  /** The same call, answering the response body as raw text in `rawBody` (to check that a 204 has none). */
  batchAddOrRemoveResourceInstanceRaw(resourceType: string, resourceId: string, body: Body) {
    const axiosRequestConfig = { transformResponse: [(raw: unknown) => ({ rawBody: raw })] }
    return this.send('POST', '/v1/{project_id}/{resource_type}/{resource_id}/tags/action', { resource_type: resourceType, resource_id: resourceId }, body, { axiosRequestConfig })
  }

  listQueryProjectResourceTags(resourceType: string) {
    return this.send('GET', '/v1/{project_id}/{resource_type}/tags', { resource_type: resourceType })
  }

  listResourceInstances(resourceType: string, body: Body) {
    return this.send('POST', '/v1/{project_id}/{resource_type}/resource_instances/action', { resource_type: resourceType }, body)
  }
}

export function tagsClient(url: string, account: Pick<NewAccount, 'accessKey' | 'secretKey' | 'projectId'>): TestTagsClient {
  const credentials = new BasicCredentials().withAk(account.accessKey).withSk(account.secretKey).withProjectId(account.projectId)
  return new ClientBuilder<TestTagsClient>((hc) => new TestTagsClient(hc)).withCredential(credentials).withEndpoint(url).build()
}
