import Type, { type Static } from 'typebox'
import type { Permission } from '../../model/resources.ts'
import { toWireTime } from '../../domain/clock.ts'
import { Description, Id, PageQuery, StringEnum, WireTime } from './common.ts'

const PermissionType = StringEnum(['domainId', 'orgPath'])
/** Longest whitelist string: the org form's prefix plus a 1,024-character path. */
const PermissionString = Type.String({ minLength: 1, maxLength: 1100 })

/** A whitelist record (EpsPermission); `description` is returned in lists too, which SDKs ignore harmlessly. */
export const PermissionOut = Type.Object({
  id: Type.String(),
  permission: Type.String(),
  permission_type: Type.String(),
  description: Type.String(),
  created_at: WireTime,
})

export const PermissionParams = Type.Object({ project_id: Id, vpc_endpoint_service_id: Id })

export const ListPermissionsQuery = Type.Object({
  ...PageQuery(500),
  permission: Type.Optional(Type.String({ minLength: 1, maxLength: 1100 })),
})
export const ListPermissionsResponse = Type.Object({ permissions: Type.Array(PermissionOut), total_count: Type.Integer() })

export const BatchCreateBody = Type.Object(
  {
    permissions: Type.Array(
      Type.Object({ permission: PermissionString, description: Type.Optional(Description(256)) }),
      { maxItems: 1000 },
    ),
    permission_type: Type.Optional(PermissionType),
  },
)

export const BatchDeleteBody = Type.Object(
  { permissions: Type.Array(Type.Object({ id: Id }), { maxItems: 1000 }) },
)

export const PermissionsResponse = Type.Object({ permissions: Type.Array(PermissionOut) })

export const PermissionActionBody = Type.Object(
  {
    permissions: Type.Array(PermissionString, { maxItems: 1000 }),
    permission_type: Type.Optional(PermissionType),
    action: Type.String({ minLength: 1, maxLength: 32 }),
  },
)
export const PermissionActionResponse = Type.Object({ permissions: Type.Array(Type.String()), permission_type: Type.String() })

export function toWirePermission(p: Permission): Static<typeof PermissionOut> {
  return { id: p.id, permission: p.permission, permission_type: p.permissionType, description: p.description, created_at: toWireTime(p.createdAt) }
}

export const PermissionRecordParams = Type.Object({ project_id: Id, vpc_endpoint_service_id: Id, permission_id: Id })
export const UpdatePermissionBody = Type.Object(
  { permission: Type.Object({ description: Description(256) }) },
)
