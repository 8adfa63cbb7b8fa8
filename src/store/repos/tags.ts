import { expressionBuilder, type Expression, type SqlBool } from 'kysely'
import { lockRows, type Dialect, type Executor, type Tx } from '../database.ts'
import type { Database } from '../schema.ts'
import type { Tag } from '../../model/resources.ts'
import { containsIgnoringCase } from './paging.ts'
import { prepared } from '../prepared.ts'

export type TaggedResource = 'endpoint_service' | 'endpoint'

/** Replaces nothing: adds `tags` to a resource that has none yet (creation time). */
export async function insertTags(db: Executor, resourceType: TaggedResource, resourceId: string, projectId: string, tags: Tag[]): Promise<void> {
  if (tags.length === 0) return
  await db
    .insertInto('tags')
    .values(tags.map((tag, position) => ({ resourceType, resourceId, projectId, key: tag.key, value: tag.value, position })))
    .execute()
}

/**
 * The tags of one resource read joined to it (left join, in tag order): a row per tag, or a single row
 * with no tag when it has none.
 */
export function tagsOfJoinedRows(rows: ReadonlyArray<{ tagKey: string | null; tagValue: string | null }>): Tag[] {
  return rows[0]?.tagKey == null ? [] : rows.map((row) => ({ key: row.tagKey!, value: row.tagValue! }))
}

/** Tags of many resources in one query, in the order they were given. */
export async function tagsOf(db: Executor, resourceType: TaggedResource, resourceIds: string[]): Promise<Map<string, Tag[]>> {
  const byResource = new Map<string, Tag[]>(resourceIds.map((id) => [id, []]))
  if (resourceIds.length === 0) return byResource
  const rows = await db
    .selectFrom('tags')
    .select(['resourceId', 'key', 'value'])
    .where('resourceType', '=', resourceType)
    .where('resourceId', 'in', resourceIds)
    .orderBy('resourceId')
    .orderBy('position')
    .orderBy('key')
    .execute()
  for (const row of rows) byResource.get(row.resourceId)?.push({ key: row.key, value: row.value })
  return byResource
}

export async function deleteTagsOf(db: Executor, resourceType: TaggedResource, resourceId: string): Promise<void> {
  await db.deleteFrom('tags').where('resourceType', '=', resourceType).where('resourceId', '=', resourceId).execute()
}

/** A stored tag with its place in the resource's tag list. */
export interface StoredTag extends Tag {
  position: number
}

/** One tag filter of a resource search: the key, and the values any of which matches (`[]` = any value). */
export interface TagValues {
  key: string
  values: string[]
}

export interface ResourceSearchFilter {
  /** Carries every key (any of each key's values). */
  tags: TagValues[]
  /** Carries at least one of the keys (any of its values). */
  tagsAny: TagValues[]
  /** Excluded when it carries every one of these. */
  notTags: TagValues[]
  /** Excluded when it carries any of these. */
  notTagsAny: TagValues[]
  /** Only resources without any tag; the four filters above are then ignored. */
  withoutAnyTag: boolean
  /** Case-insensitive substring of the resource name; `''` asks for an exact (empty) name. */
  name?: string
}

export interface ResourceHit {
  id: string
  /** A service's short name, or its id when it has none; an endpoint's id. */
  name: string
}

/** The tags of one resource with their positions, in list order. */
export async function tagRowsOf(db: Executor, resourceType: TaggedResource, resourceId: string): Promise<StoredTag[]> {
  return db
    .selectFrom('tags')
    .select(['key', 'value', 'position'])
    .where('resourceType', '=', resourceType)
    .where('resourceId', '=', resourceId)
    .orderBy('position')
    .orderBy('key')
    .execute()
}

export async function insertTagsAt(db: Executor, resourceType: TaggedResource, resourceId: string, projectId: string, tags: StoredTag[]): Promise<void> {
  if (tags.length === 0) return
  await db
    .insertInto('tags')
    .values(tags.map((tag) => ({ resourceType, resourceId, projectId, key: tag.key, value: tag.value, position: tag.position })))
    .execute()
}

/** Overwrites the value of an existing tag; its position stays. */
export async function setTagValue(db: Executor, resourceType: TaggedResource, resourceId: string, key: string, value: string): Promise<void> {
  await db.updateTable('tags').set({ value }).where('resourceType', '=', resourceType).where('resourceId', '=', resourceId).where('key', '=', key).execute()
}

export async function deleteTagKeys(db: Executor, resourceType: TaggedResource, resourceId: string, keys: string[]): Promise<void> {
  if (keys.length === 0) return
  await db.deleteFrom('tags').where('resourceType', '=', resourceType).where('resourceId', '=', resourceId).where('key', 'in', keys).execute()
}

/**
 * Confirms that the resource is the project's and holds it until the transaction ends (PostgreSQL share
 * locks), so the reconciler cannot remove it, and its tags, between this check and the tag writes. An
 * endpoint's service is locked first, in the order the reconciler's service removal takes them.
 */
export async function lockTaggedResource(tx: Tx, dialect: Dialect, projectId: string, resourceType: TaggedResource, resourceId: string): Promise<boolean> {
  if (resourceType === 'endpoint_service') {
    const query = tx.selectFrom('endpointServices').select('id').where('projectId', '=', projectId).where('id', '=', resourceId)
    return (await lockRows(query, dialect, 'share').executeTakeFirst()) !== undefined
  }
  const endpoint = await tx.selectFrom('endpoints').select('serviceId').where('projectId', '=', projectId).where('id', '=', resourceId).executeTakeFirst()
  if (!endpoint) return false
  await lockRows(tx.selectFrom('endpointServices').select('id').where('id', '=', endpoint.serviceId), dialect, 'share').execute()
  const query = tx.selectFrom('endpoints').select('id').where('projectId', '=', projectId).where('id', '=', resourceId)
  return (await lockRows(query, dialect, 'share').executeTakeFirst()) !== undefined
}

/** Every distinct key and value on the project's resources of one type, keys and values in code-point order. */
export async function projectTagValues(db: Executor, projectId: string, resourceType: TaggedResource): Promise<TagValues[]> {
  const rows = await db
    .selectFrom('tags')
    .select(['key', 'value'])
    .distinct()
    .where('projectId', '=', projectId)
    .where('resourceType', '=', resourceType)
    .execute()
  // Sorted here rather than in SQL: PostgreSQL orders text by its collation, SQLite by code point.
  const byKey = new Map<string, string[]>()
  for (const row of rows) {
    const values = byKey.get(row.key)
    if (values) values.push(row.value)
    else byKey.set(row.key, [row.value])
  }
  return [...byKey.keys()].sort(byCodePoint).map((key) => ({ key, values: byKey.get(key)!.sort(byCodePoint) }))
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** The searched table, aliased `r`: the columns the conditions below refer to. */
interface SearchedResource {
  id: string
  shortName: string
}
const search = expressionBuilder<Database & { r: SearchedResource }, 'r'>()

/** The resource carries a tag with this key (and one of these values, when any are given), or any tag at all. */
function carries(resourceType: TaggedResource, tag?: TagValues): Expression<SqlBool> {
  let query = search.selectFrom('tags').select('tags.key').where('tags.resourceType', '=', resourceType).whereRef('tags.resourceId', '=', 'r.id')
  if (tag) {
    query = query.where('tags.key', '=', tag.key)
    if (tag.values.length > 0) query = query.where('tags.value', 'in', tag.values)
  }
  return search.exists(query)
}

function nameCondition(resourceType: TaggedResource, text: string): Expression<SqlBool> {
  const test = (column: 'r.id' | 'r.shortName') => (text === '' ? search(column, '=', '') : containsIgnoringCase(column, text))
  if (resourceType === 'endpoint') return test('r.id')
  return search.or([search.and([search('r.shortName', '<>', ''), test('r.shortName')]), search.and([search('r.shortName', '=', ''), test('r.id')])])
}

function searchConditions(resourceType: TaggedResource, filter: ResourceSearchFilter): Expression<SqlBool>[] {
  const conditions: Expression<SqlBool>[] = []
  const each = (tags: TagValues[]) => tags.map((tag) => carries(resourceType, tag))
  if (filter.withoutAnyTag) {
    conditions.push(search.not(carries(resourceType)))
  } else {
    if (filter.tags.length > 0) conditions.push(search.and(each(filter.tags)))
    if (filter.tagsAny.length > 0) conditions.push(search.or(each(filter.tagsAny)))
    if (filter.notTags.length > 0) conditions.push(search.not(search.and(each(filter.notTags))))
    if (filter.notTagsAny.length > 0) conditions.push(search.not(search.or(each(filter.notTagsAny))))
  }
  if (filter.name !== undefined) conditions.push(nameCondition(resourceType, filter.name))
  return conditions
}

/**
 * The project's resources of one type that match `filter`, oldest first (then by id), and how many match
 * in all. Filtering runs in SQL (EXISTS on the tags primary key); without `page` only the count is read.
 */
export async function searchResources(
  db: Executor,
  projectId: string,
  resourceType: TaggedResource,
  filter: ResourceSearchFilter,
  page?: { limit: number; offset: number },
): Promise<{ items: ResourceHit[]; totalCount: number }> {
  const conditions = searchConditions(resourceType, filter)
  if (resourceType === 'endpoint_service') {
    let query = db.selectFrom('endpointServices as r').where('r.projectId', '=', projectId)
    for (const condition of conditions) query = query.where(condition)
    const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    const rows = page
      ? await query.select(['r.id', 'r.shortName']).orderBy('r.createdAt').orderBy('r.id').limit(page.limit).offset(page.offset).execute()
      : []
    return { items: rows.map((row) => ({ id: row.id, name: row.shortName || row.id })), totalCount: Number(total.n) }
  }
  let query = db.selectFrom('endpoints as r').where('r.projectId', '=', projectId)
  for (const condition of conditions) query = query.where(condition)
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = page ? await query.select('r.id').orderBy('r.createdAt').orderBy('r.id').limit(page.limit).offset(page.offset).execute() : []
  return { items: rows.map((row) => ({ id: row.id, name: row.id })), totalCount: Number(total.n) }
}
