import type { Selectable } from 'kysely'
import { lockRows, type Dialect, type Executor } from '../database.ts'
import type { ServicePermissionsTable } from '../schema.ts'
import type { Page, Paged, Permission } from '../../model/resources.ts'
import { applyPage, containsIgnoringCase } from './paging.ts'

type PermissionRow = Selectable<ServicePermissionsTable>

function toPermission(row: PermissionRow): Permission {
  return {
    id: row.id,
    serviceId: row.serviceId,
    permission: row.permission,
    permissionType: row.permissionType as Permission['permissionType'],
    description: row.description,
    createdAt: row.createdAt,
  }
}

/*
 * Whitelist records carry no update time of their own; `update_at` sorting falls back to creation
 * time, which is the only time a record's identity changes.
 */
export async function listPermissions(db: Executor, serviceId: string, permissionContains: string | undefined, page: Page): Promise<Paged<Permission>> {
  let query = db.selectFrom('servicePermissions').where('serviceId', '=', serviceId)
  if (permissionContains !== undefined) query = query.where(containsIgnoringCase('permission', permissionContains))
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  const rows = await applyPage(query.selectAll(), { ...page, sortKey: 'create_at' }).execute()
  return { items: rows.map(toPermission), totalCount: Number(total.n) }
}

export async function permissionsByIds(db: Executor, serviceId: string, ids: string[]): Promise<Permission[]> {
  if (ids.length === 0) return []
  const rows = await db.selectFrom('servicePermissions').selectAll().where('serviceId', '=', serviceId).where('id', 'in', ids).execute()
  return rows.map(toPermission)
}

export async function permissionsByStrings(db: Executor, serviceId: string, permissions: string[]): Promise<Permission[]> {
  if (permissions.length === 0) return []
  const rows = await db.selectFrom('servicePermissions').selectAll().where('serviceId', '=', serviceId).where('permission', 'in', permissions).execute()
  return rows.map(toPermission)
}

export async function allPermissionStrings(db: Executor, serviceId: string): Promise<string[]> {
  const rows = await db.selectFrom('servicePermissions').select('permission').where('serviceId', '=', serviceId).orderBy('createdAt').orderBy('id').execute()
  return rows.map((r) => r.permission)
}

export async function countPermissions(db: Executor, serviceId: string): Promise<number> {
  const row = await db.selectFrom('servicePermissions').select((eb) => eb.fn.countAll<number>().as('n')).where('serviceId', '=', serviceId).executeTakeFirstOrThrow()
  return Number(row.n)
}

export async function insertPermissions(db: Executor, permissions: Permission[]): Promise<void> {
  if (permissions.length === 0) return
  await db.insertInto('servicePermissions').values(permissions).execute()
}

export async function deletePermissions(db: Executor, serviceId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0
  const result = await db.deleteFrom('servicePermissions').where('serviceId', '=', serviceId).where('id', 'in', ids).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/**
 * Whether any of `candidates` is a whitelist record of the service (the connect-time check). The
 * matching records stay share-locked until the caller commits, so a batch-delete cannot remove them
 * between this check and the endpoint's commit.
 */
export async function hasAnyPermission(db: Executor, serviceId: string, candidates: string[], dialect: Dialect): Promise<boolean> {
  const query = db.selectFrom('servicePermissions').select('id').where('serviceId', '=', serviceId).where('permission', 'in', candidates)
  const rows = await lockRows(query, dialect, 'share').execute()
  return rows.length > 0
}

export async function setPermissionDescription(db: Executor, id: string, description: string): Promise<void> {
  await db.updateTable('servicePermissions').set({ description }).where('id', '=', id).execute()
}
