import { pathOf, type Transport } from './transport.ts'
import type { ProjectTags, ResourceSearchRequest, ResourceSearchResult, ResourceTag, ResourceType, TagAction } from './types.ts'

/** Tags of services and endpoints (digest §4.8). */
export class TagsApi {
  constructor(
    private readonly transport: Transport,
    private readonly projectId: string,
  ) {}

  /** BatchAddOrRemoveResourceInstance (204). */
  async action(resourceType: ResourceType, resourceId: string, action: TagAction, tags: ResourceTag[]): Promise<void> {
    const path = pathOf`/v1/${this.projectId}/${resourceType}/${resourceId}/tags/action`
    await this.transport.request<undefined>({ method: 'POST', path, body: { action, tags }, projectId: this.projectId })
  }

  /** Adds tags; a key the resource already has gets the new value. */
  add(resourceType: ResourceType, resourceId: string, tags: Array<{ key: string; value: string }>): Promise<void> {
    return this.action(resourceType, resourceId, 'create', tags)
  }

  /** Removes tags by key, or by key and value when `value` is given; absent tags are ignored. */
  remove(resourceType: ResourceType, resourceId: string, tags: ResourceTag[]): Promise<void> {
    return this.action(resourceType, resourceId, 'delete', tags)
  }

  /** ListQueryProjectResourceTags: every key in use on the project's resources of that type, with its values. */
  async list(resourceType: ResourceType): Promise<ProjectTags> {
    const path = pathOf`/v1/${this.projectId}/${resourceType}/tags`
    return (await this.transport.request<ProjectTags>({ method: 'GET', path, projectId: this.projectId })).body
  }

  /** ListResourceInstances: tag-based search (`action: filter` or `count`). */
  async search(resourceType: ResourceType, body: ResourceSearchRequest): Promise<ResourceSearchResult> {
    const path = pathOf`/v1/${this.projectId}/${resourceType}/resource_instances/action`
    return (await this.transport.request<ResourceSearchResult>({ method: 'POST', path, body, projectId: this.projectId })).body
  }
}
