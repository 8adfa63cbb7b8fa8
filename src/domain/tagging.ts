import { lockProject } from '../store/database.ts'
import {
  deleteTagKeys,
  insertTagsAt,
  lockTaggedResource,
  projectTagValues,
  searchResources,
  setTagValue,
  tagRowsOf,
  tagsOf,
  type ResourceSearchFilter,
  type StoredTag,
  type TagValues,
  type TaggedResource,
} from '../store/repos/tags.ts'
import { recordEvents } from '../store/repos/events.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { Scope, Tag } from '../model/resources.ts'
import { validateTags } from './tags.ts'

export type { TaggedResource, TagValues }

export const TAGGED_RESOURCE_TYPES = ['endpoint_service', 'endpoint'] as const satisfies readonly TaggedResource[]
export const TAG_ACTIONS = ['create', 'delete'] as const
export const SEARCH_ACTIONS = ['filter', 'count'] as const

/** Limits of one tag filter of a resource search (digest §4.8.3). */
export const MAX_FILTER_KEYS = 10
export const MAX_FILTER_VALUES = 10
export const MAX_SEARCH_LIMIT = 1000
/** Highest offset accepted: an int32, as for every other list. */
export const MAX_SEARCH_OFFSET = 2_147_483_647
const MAX_KEY_LENGTH = 128
const MAX_VALUE_LENGTH = 255

/**
 * One element of a tag action. To create, an absent `value` is the empty value: Go clients (the Terraform
 * provider's `value,omitempty`) send `{"key":"k"}` for `k = ""`, and create bodies already read it so.
 * To delete, an absent `value` means by key alone.
 */
export interface ResourceTagInput {
  key: string
  value?: string
}

export interface ResourceSearchInput {
  action: string
  tags?: TagValues[]
  tagsAny?: TagValues[]
  notTags?: TagValues[]
  notTagsAny?: TagValues[]
  /** Checked like the other filters, then ignored: vpcep has no system tags (docs/decisions.md). */
  sysTags?: TagValues[]
  withoutAnyTag?: boolean
  matches?: Array<{ key: string; value: string }>
  limit?: number
  offset?: number
}

export interface ResourceInstance {
  id: string
  name: string
  tags: Tag[]
}

/** `resources` is absent for `count`. */
export interface ResourceSearchResult {
  totalCount: number
  resources?: ResourceInstance[]
}

function resourceTypeOf(value: string): TaggedResource {
  if (!(TAGGED_RESOURCE_TYPES as readonly string[]).includes(value)) {
    fail('invalidResourceType', `resource_type must be endpoint_service or endpoint, got "${value.slice(0, 64)}".`)
  }
  return value as TaggedResource
}

function notFound(resourceType: TaggedResource, id: string): never {
  if (resourceType === 'endpoint_service') fail('resourceNotFound', `Endpoint service ${id} does not exist.`)
  fail('endpointNotFound', `Endpoint ${id} does not exist.`)
}

const length = (text: string) => [...text].length
/** Search keys and values are trimmed of half-width spaces before use (digest §4.0 TagValuesList). */
const trimSpaces = (text: string) => text.replace(/^ +| +$/g, '')

/** Checks one search filter and answers it trimmed; a missing filter is an empty one. */
function tagFilter(field: string, filter: TagValues[] | undefined): TagValues[] {
  if (!filter) return []
  if (filter.length > MAX_FILTER_KEYS) fail('parameterError', `${field} holds at most ${MAX_FILTER_KEYS} keys; got ${filter.length}.`)
  const keys = new Set<string>()
  return filter.map((entry, index) => {
    const key = trimSpaces(entry.key)
    if (key === '') fail('tagEmpty', `${field}[${index}].key is empty.`)
    if (length(key) > MAX_KEY_LENGTH) fail('tagKeySize', `${field}[${index}].key is longer than ${MAX_KEY_LENGTH} characters.`)
    if (keys.has(key)) fail('tagKeyDuplicated', `Key "${key}" appears twice in ${field}.`)
    keys.add(key)
    if (entry.values.length > MAX_FILTER_VALUES) fail('parameterError', `${field}[${index}].values holds at most ${MAX_FILTER_VALUES} values; got ${entry.values.length}.`)
    const values = new Set<string>()
    for (const raw of entry.values) {
      const value = trimSpaces(raw)
      if (length(value) > MAX_VALUE_LENGTH) fail('tagValueSize', `A value of key "${key}" in ${field} is longer than ${MAX_VALUE_LENGTH} characters.`)
      if (values.has(value)) fail('tagValueDuplicated', `Value "${value}" appears twice under key "${key}" in ${field}.`)
      values.add(value)
    }
    return { key, values: [...values] }
  })
}

/** `matches`: only `resource_name`, at most once; answers its value, or undefined when there is none. */
function nameMatch(matches: ResourceSearchInput['matches']): string | undefined {
  if (!matches || matches.length === 0) return undefined
  for (const match of matches) {
    if (match.key !== 'resource_name') fail('parameterError', `matches key "${match.key.slice(0, 64)}" is not supported; only resource_name is.`)
    if (length(match.value) > MAX_VALUE_LENGTH) fail('parameterError', `The resource_name match is longer than ${MAX_VALUE_LENGTH} characters.`)
  }
  if (matches.length > 1) fail('parameterError', 'matches names resource_name more than once.')
  return matches[0]!.value
}

/** Tags of endpoint services and endpoints: the tag action, the project's tag summary and the resource search. */
export class Tagging {
  constructor(private readonly ctx: DomainContext) {}

  /**
   * `create` adds tags and overwrites the value of keys the resource already has (they keep their place);
   * `delete` removes tags by key, or by key and value when a value is given; absent tags are ignored.
   */
  async batchAction(scope: Scope, resourceTypeName: string, resourceId: string, action: string, tags: ResourceTagInput[] | undefined): Promise<void> {
    const resourceType = resourceTypeOf(resourceTypeName)
    if (action !== 'create' && action !== 'delete') fail('invalidAction', `action must be create or delete, got "${action.slice(0, 32)}".`)
    if (!tags || tags.length === 0) fail('tagEmpty', 'tags must hold at least one tag.')
    if (action === 'create') {
      const wanted = tags.map((tag): Tag => ({ key: tag.key, value: tag.value ?? '' }))
      validateTags(wanted)
      await this.write(scope, resourceType, resourceId, (existing) => this.plan(wanted, existing))
      return
    }
    // Deletion checks only what it needs to find the tags: no character set or size checks (a tag that
    // could not have been stored is simply absent).
    const keys = new Set<string>()
    for (const [index, tag] of tags.entries()) {
      if (tag.key.trim() === '') fail('tagEmpty', `tags[${index}].key is empty.`)
      if (keys.has(tag.key)) fail('tagKeyDuplicated', `Tag key "${tag.key}" appears twice.`)
      keys.add(tag.key)
    }
    await this.write(scope, resourceType, resourceId, (existing) => ({
      inserts: [],
      updates: [],
      removals: existing.filter((stored) => tags.some((tag) => tag.key === stored.key && (tag.value === undefined || tag.value === stored.value))),
    }))
  }

  /** Every key used on the project's resources of the type, with all its values. */
  async projectTags(scope: Scope, resourceTypeName: string): Promise<TagValues[]> {
    return projectTagValues(this.ctx.store.db, scope.projectId, resourceTypeOf(resourceTypeName))
  }

  /** The tag search: `filter` answers a page of matching resources and the total, `count` only the total. */
  async search(scope: Scope, resourceTypeName: string, input: ResourceSearchInput): Promise<ResourceSearchResult> {
    const resourceType = resourceTypeOf(resourceTypeName)
    if (input.action !== 'filter' && input.action !== 'count') fail('invalidAction', `action must be filter or count, got "${input.action.slice(0, 32)}".`)
    const countOnly = input.action === 'count'
    if (countOnly && (input.limit !== undefined || input.offset !== undefined)) fail('parameterError', 'limit and offset are not allowed when action is count.')
    const limit = input.limit ?? MAX_SEARCH_LIMIT
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT) fail('invalidLimit', `limit must be 1–${MAX_SEARCH_LIMIT}.`)
    const offset = input.offset ?? 0
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > MAX_SEARCH_OFFSET) fail('invalidOffset', `offset must be 0–${MAX_SEARCH_OFFSET}.`)
    const filter: ResourceSearchFilter = {
      tags: tagFilter('tags', input.tags),
      tagsAny: tagFilter('tags_any', input.tagsAny),
      notTags: tagFilter('not_tags', input.notTags),
      notTagsAny: tagFilter('not_tags_any', input.notTagsAny),
      withoutAnyTag: input.withoutAnyTag === true,
      name: nameMatch(input.matches),
    }
    tagFilter('sys_tags', input.sysTags)
    const db = this.ctx.store.db
    const { items, totalCount } = await searchResources(db, scope.projectId, resourceType, filter, countOnly ? undefined : { limit, offset })
    if (countOnly) return { totalCount }
    const tags = await tagsOf(db, resourceType, items.map((item) => item.id))
    return { totalCount, resources: items.map((item) => ({ id: item.id, name: item.name, tags: tags.get(item.id) ?? [] })) }
  }

  /** New keys go after the resource's last tag, in request order; existing keys keep their place. */
  private plan(wanted: Tag[], existing: StoredTag[]): TagChanges {
    validateTags(wanted, existing.map((tag) => tag.key))
    const byKey = new Map(existing.map((tag) => [tag.key, tag]))
    let next = existing.reduce((highest, tag) => Math.max(highest, tag.position), -1) + 1
    const changes: TagChanges = { inserts: [], updates: [], removals: [] }
    for (const tag of wanted) {
      const current = byKey.get(tag.key)
      if (!current) changes.inserts.push({ ...tag, position: next++ })
      else if (current.value !== tag.value) changes.updates.push(tag)
    }
    return changes
  }

  /** Applies the changes planned from the resource's current tags, in one transaction with an outbox event. */
  private async write(scope: Scope, resourceType: TaggedResource, resourceId: string, planFor: (existing: StoredTag[]) => TagChanges): Promise<void> {
    const { store, clock } = this.ctx
    await store.transaction(async (tx) => {
      await lockProject(tx, store.dialect, scope.projectId)
      if (!(await lockTaggedResource(tx, store.dialect, scope.projectId, resourceType, resourceId))) notFound(resourceType, resourceId)
      const changes = planFor(await tagRowsOf(tx, resourceType, resourceId))
      await insertTagsAt(tx, resourceType, resourceId, scope.projectId, changes.inserts)
      for (const tag of changes.updates) await setTagValue(tx, resourceType, resourceId, tag.key, tag.value)
      await deleteTagKeys(tx, resourceType, resourceId, changes.removals.map((tag) => tag.key))
      const prefix = resourceType === 'endpoint_service' ? 'service' : 'endpoint'
      const stamp = toStoredTime(clock.now())
      const set = [...changes.inserts, ...changes.updates].map(({ key, value }) => ({ key, value }))
      const removed = changes.removals.map(({ key, value }) => ({ key, value }))
      await recordEvents(tx, [
        ...(set.length > 0 ? [{ type: `${prefix}.tagged`, resourceType, resourceId, projectId: scope.projectId, occurredAt: stamp, payload: { tags: set } }] : []),
        ...(removed.length > 0 ? [{ type: `${prefix}.untagged`, resourceType, resourceId, projectId: scope.projectId, occurredAt: stamp, payload: { tags: removed } }] : []),
      ])
    })
  }
}

interface TagChanges {
  inserts: StoredTag[]
  updates: Tag[]
  removals: StoredTag[]
}
