import type { Executor } from '../database.ts'
import type { Tag } from '../../domain/model.ts'

export type TaggedResource = 'endpoint_service' | 'endpoint'

/** Replaces nothing: adds `tags` to a resource that has none yet (creation time). */
export async function insertTags(db: Executor, resourceType: TaggedResource, resourceId: string, projectId: string, tags: Tag[]): Promise<void> {
  if (tags.length === 0) return
  await db
    .insertInto('tags')
    .values(tags.map((tag, position) => ({ resourceType, resourceId, projectId, key: tag.key, value: tag.value, position })))
    .execute()
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
