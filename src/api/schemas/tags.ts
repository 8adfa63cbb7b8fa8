import Type, { type Static } from 'typebox'
import { TAGGED_RESOURCE_TYPES, type ResourceInstance, type ResourceSearchInput, type ResourceTagInput, type TagValues } from '../../domain/tagging.ts'
import { Id, StringEnum, TagOut, TagSchema, coded } from './common.ts'

/*
 * Wire shapes of the tag operations (digest §4.8). Lengths here only bound the payload; the tag rules and
 * their specific codes (EndPoint.3066–3073) are the domain's.
 */

const ResourceType = coded(StringEnum(TAGGED_RESOURCE_TYPES), 'EndPoint.3070')

export const ResourceTypeParams = Type.Object({ project_id: Id, resource_type: ResourceType })
export const TaggedResourceParams = Type.Object({ project_id: Id, resource_type: ResourceType, resource_id: Id })

/** BatchAddOrRemoveResourceInstance body; ResourceTag is the create-time tag shape (`value` optional to delete). */
export const TagActionBody = Type.Object(
  {
    action: coded(Type.String({ maxLength: 32 }), 'EndPoint.0007'),
    tags: Type.Optional(coded(Type.Array(TagSchema, { maxItems: 1000 }), 'EndPoint.0016')),
  },
)

/** TagValuesList as a search filter: `values` must be present, `[]` meaning any value. */
const TagValuesIn = Type.Object(
  { key: Type.String({ maxLength: 1024 }), values: Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 1000 }) },
)
const TagFilterIn = Type.Optional(Type.Array(TagValuesIn, { maxItems: 1000 }))
const MatchIn = Type.Object({ key: Type.String({ maxLength: 1024 }), value: Type.String({ maxLength: 1024 }) })

/**
 * A paging value of QueryResourceInstanceTagsBody: a string of digits per the reference, or a JSON
 * integer, which the Terraform provider's resources_by_tags data source sends as `offset` (a Go int).
 * Ranges are the domain's.
 */
function DigitsOrInteger(code: string) {
  return coded(Type.Union([coded(Type.String({ pattern: '^[0-9]+$', maxLength: 32 }), code), coded(Type.Integer(), code)]), code)
}

/** QueryResourceInstanceTagsBody. */
export const ResourceInstancesBody = Type.Object(
  {
    action: coded(Type.String({ maxLength: 32 }), 'EndPoint.0007'),
    tags: TagFilterIn,
    tags_any: TagFilterIn,
    not_tags: TagFilterIn,
    not_tags_any: TagFilterIn,
    sys_tags: TagFilterIn,
    without_any_tag: Type.Optional(Type.Boolean()),
    matches: Type.Optional(Type.Array(MatchIn, { maxItems: 100 })),
    limit: Type.Optional(DigitsOrInteger('EndPoint.0006')),
    offset: Type.Optional(DigitsOrInteger('EndPoint.0010')),
  },
)

export const TagValuesOut = Type.Object({ key: Type.String(), values: Type.Array(Type.String()) })
export const ProjectTagsResponse = Type.Object({ tags: Type.Array(TagValuesOut) })

export const ResourceInstanceOut = Type.Object({ resource_id: Type.String(), resource_name: Type.String(), tags: Type.Array(TagOut) })
/** `resources` is left out for `action: count`. */
export const ResourceInstancesResponse = Type.Object({ resources: Type.Optional(Type.Array(ResourceInstanceOut)), total_count: Type.Integer() })

export function toResourceTags(tags: Static<typeof TagActionBody>['tags']): ResourceTagInput[] | undefined {
  return tags?.map((tag) => (tag.value === undefined ? { key: tag.key } : { key: tag.key, value: tag.value }))
}

export function toResourceSearchInput(body: Static<typeof ResourceInstancesBody>): ResourceSearchInput {
  return {
    action: body.action,
    tags: body.tags,
    tagsAny: body.tags_any,
    notTags: body.not_tags,
    notTagsAny: body.not_tags_any,
    sysTags: body.sys_tags,
    withoutAnyTag: body.without_any_tag,
    matches: body.matches,
    limit: body.limit === undefined ? undefined : Number(body.limit),
    offset: body.offset === undefined ? undefined : Number(body.offset),
  }
}

export function toWireResourceInstance(resource: ResourceInstance): Static<typeof ResourceInstanceOut> {
  return { resource_id: resource.id, resource_name: resource.name, tags: resource.tags }
}

export function toWireTagValues(tag: TagValues): Static<typeof TagValuesOut> {
  return { key: tag.key, values: tag.values }
}
