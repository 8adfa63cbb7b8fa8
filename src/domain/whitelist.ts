import { lockProject, type Executor, type Tx } from '../store/database.ts'
import { findOwnServiceRow } from '../store/repos/services.ts'
import {
  allPermissionStrings,
  countPermissions,
  deletePermissions,
  insertPermissions,
  listPermissions,
  permissionsByIds,
  permissionsByStrings,
  setPermissionDescription,
} from '../store/repos/permissions.ts'
import { recordEvents } from '../store/repos/events.ts'
import { toStoredTime } from './clock.ts'
import type { DomainContext } from './context.ts'
import { fail } from './errors.ts'
import type { Page, Paged, Permission, Scope } from '../model/resources.ts'

export type PermissionType = Permission['permissionType']

/** Records per service (EndPoint.3049); the cloud does not publish its value (docs/decisions.md). */
export const MAX_WHITELIST_RECORDS = 1000
/** Entries per batch request (EndPoint.0016); likewise unpublished. */
export const MAX_BATCH_SIZE = 500

/** The two spellings that admit every account: the reference's form and the bare `*` of older docs. */
export const EVERY_ACCOUNT = ['iam:domain::*', '*'] as const
const DOMAIN_RECORD = /^iam:domain::([A-Za-z0-9]{1,64}|\*)$/
const ORG_RECORD = /^organizations:orgPath::[A-Za-z0-9/\-*?]{1,1024}$/

/**
 * Checks one whitelist string and answers it exactly as written, with its type. `*` and `iam:domain::*`
 * are two records that both admit everyone: a client such as the Terraform provider compares the list
 * it reads back with what it wrote, so rewriting `*` would look like a change it must undo
 * (docs/decisions.md, "Whitelist"). The declared `permission_type`, when given, must match the form.
 */
export function parsePermission(raw: string, declared?: PermissionType): { permission: string; permissionType: PermissionType } {
  let permissionType: PermissionType | undefined
  if (raw === '*' || DOMAIN_RECORD.test(raw)) permissionType = 'domainId'
  else if (ORG_RECORD.test(raw)) permissionType = 'orgPath'
  if (!permissionType) {
    fail('invalidPermission', `"${raw.slice(0, 80)}" is not iam:domain::<account id>, iam:domain::*, * or organizations:orgPath::<path>.`)
  }
  if (declared && declared !== permissionType) {
    fail('invalidPermission', `"${raw.slice(0, 80)}" is not of permission_type ${declared}.`)
  }
  return { permission: raw, permissionType }
}

/** The stored strings any of which admits `accountId` to a service. */
export function admittingRecords(accountId: string): string[] {
  return [`iam:domain::${accountId}`, ...EVERY_ACCOUNT]
}

/** The service's whitelist, managed only by the service's owner project. */
export class Whitelist {
  constructor(private readonly ctx: DomainContext) {}

  async list(scope: Scope, serviceId: string, permissionContains: string | undefined, page: Page): Promise<Paged<Permission>> {
    return this.ctx.store.snapshot(async (db) => {
      await this.requireService(db, scope, serviceId)
      return listPermissions(db, serviceId, permissionContains, page)
    })
  }

  /** Adds records; a string already on the whitelist returns its existing record (idempotent). */
  async batchCreate(scope: Scope, serviceId: string, entries: Array<{ permission: string; description?: string }>, declared?: PermissionType): Promise<Permission[]> {
    if (entries.length === 0) fail('emptyPermissions', 'permissions must not be empty.')
    if (entries.length > MAX_BATCH_SIZE) fail('batchTooLarge', `At most ${MAX_BATCH_SIZE} records per request.`)
    const wanted = new Map<string, { permissionType: PermissionType; description: string }>()
    for (const entry of entries) {
      const { permission, permissionType } = parsePermission(entry.permission, declared)
      if (!wanted.has(permission)) wanted.set(permission, { permissionType, description: entry.description ?? '' })
    }
    return this.write(scope, serviceId, async (tx, stamp) => {
      const existing = await permissionsByStrings(tx, serviceId, [...wanted.keys()])
      const existingByString = new Map(existing.map((p) => [p.permission, p]))
      const fresh: Permission[] = []
      for (const [permission, { permissionType, description }] of wanted) {
        if (!existingByString.has(permission)) {
          fresh.push({ id: this.ctx.ids.uuid(), serviceId, permission, permissionType, description, createdAt: stamp })
        }
      }
      await this.insertWithinLimit(tx, serviceId, fresh)
      await recordEvents(tx, fresh.map((p) => ({ type: 'permission.added', resourceType: 'permission' as const, resourceId: p.id, projectId: scope.projectId, occurredAt: stamp, payload: { serviceId, permission: p.permission } })))
      return [...wanted.keys()].map((permission) => existingByString.get(permission) ?? fresh.find((p) => p.permission === permission)!)
    })
  }

  /**
   * Removes records by id, all or nothing: an id that is not a record of this service refuses the
   * whole batch. Answers the removed records.
   */
  async batchDelete(scope: Scope, serviceId: string, ids: string[]): Promise<Permission[]> {
    if (ids.length === 0) fail('emptyPermissions', 'permissions must not be empty.')
    if (ids.length > MAX_BATCH_SIZE) fail('batchTooLarge', `At most ${MAX_BATCH_SIZE} records per request.`)
    const unique = [...new Set(ids)]
    return this.write(scope, serviceId, async (tx, stamp) => {
      const found = await permissionsByIds(tx, serviceId, unique)
      if (found.length !== unique.length) {
        const foundIds = new Set(found.map((p) => p.id))
        const missing = unique.filter((id) => !foundIds.has(id))
        fail('invalidPermission', `${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''} ${missing.length === 1 ? 'is not a whitelist record' : 'are not whitelist records'} of endpoint service ${serviceId}; nothing was removed.`)
      }
      await deletePermissions(tx, serviceId, unique)
      await recordEvents(tx, found.map((p) => ({ type: 'permission.removed', resourceType: 'permission' as const, resourceId: p.id, projectId: scope.projectId, occurredAt: stamp, payload: { serviceId, permission: p.permission } })))
      const order = new Map(unique.map((id, i) => [id, i]))
      return found.sort((a, b) => order.get(a.id)! - order.get(b.id)!)
    })
  }

  /** Adds or removes by whitelist string; answers the resulting whitelist of the service. */
  async addOrRemove(scope: Scope, serviceId: string, action: string, permissions: string[], declared?: PermissionType): Promise<string[]> {
    if (action !== 'add' && action !== 'remove') fail('invalidPermissionAction', `action must be add or remove, got "${action.slice(0, 32)}".`)
    if (permissions.length === 0) fail('emptyPermissions', 'permissions must not be empty.')
    if (permissions.length > MAX_BATCH_SIZE) fail('batchTooLarge', `At most ${MAX_BATCH_SIZE} records per request.`)
    const normalized = [...new Map(permissions.map((raw) => {
      const parsed = parsePermission(raw, declared)
      return [parsed.permission, parsed] as const
    })).values()]
    return this.write(scope, serviceId, async (tx, stamp) => {
      const existing = await permissionsByStrings(tx, serviceId, normalized.map((p) => p.permission))
      if (action === 'add') {
        const present = new Set(existing.map((p) => p.permission))
        const fresh = normalized
          .filter((p) => !present.has(p.permission))
          .map((p) => ({ id: this.ctx.ids.uuid(), serviceId, permission: p.permission, permissionType: p.permissionType, description: '', createdAt: stamp }))
        await this.insertWithinLimit(tx, serviceId, fresh)
        await recordEvents(tx, fresh.map((p) => ({ type: 'permission.added', resourceType: 'permission' as const, resourceId: p.id, projectId: scope.projectId, occurredAt: stamp, payload: { serviceId, permission: p.permission } })))
      } else {
        await deletePermissions(tx, serviceId, existing.map((p) => p.id))
        await recordEvents(tx, existing.map((p) => ({ type: 'permission.removed', resourceType: 'permission' as const, resourceId: p.id, projectId: scope.projectId, occurredAt: stamp, payload: { serviceId, permission: p.permission } })))
      }
      return allPermissionStrings(tx, serviceId)
    })
  }

  /** Changes one record's description; the record is addressed by id within the service. */
  async updateDescription(scope: Scope, serviceId: string, permissionId: string, description: string): Promise<Permission> {
    return this.write(scope, serviceId, async (tx, stamp) => {
      const [record] = await permissionsByIds(tx, serviceId, [permissionId])
      if (!record) fail('resourceNotFound', `Whitelist record ${permissionId} does not exist in endpoint service ${serviceId}.`)
      await setPermissionDescription(tx, permissionId, description)
      await recordEvents(tx, [{ type: 'permission.described', resourceType: 'permission', resourceId: permissionId, projectId: scope.projectId, occurredAt: stamp, payload: { serviceId } }])
      return { ...record, description }
    })
  }

  private async insertWithinLimit(tx: Tx, serviceId: string, fresh: Permission[]): Promise<void> {
    if (fresh.length === 0) return
    const count = await countPermissions(tx, serviceId)
    if (count + fresh.length > MAX_WHITELIST_RECORDS) {
      fail('whitelistFull', `A service holds at most ${MAX_WHITELIST_RECORDS} whitelist records; it has ${count}. Remove records or use iam:domain::*.`)
    }
    await insertPermissions(tx, fresh)
  }

  /** One transaction, with the owner's project locked so concurrent whitelist writes serialise. */
  private write<T>(scope: Scope, serviceId: string, work: (tx: Tx, stamp: string) => Promise<T>): Promise<T> {
    return this.ctx.store.transaction(async (tx) => {
      await lockProject(tx, this.ctx.store.dialect, scope.projectId)
      const status = await this.requireService(tx, scope, serviceId)
      if (status === 'deleting') fail('serviceNotModifiable', `Endpoint service ${serviceId} is being deleted.`)
      return work(tx, toStoredTime(this.ctx.clock.now()))
    })
  }

  /** Answers the service's status; another project's service is absent (404). */
  private async requireService(db: Executor, scope: Scope, serviceId: string): Promise<string> {
    const row = await findOwnServiceRow(db, scope, serviceId)
    if (!row) fail('resourceNotFound', `Endpoint service ${serviceId} does not exist.`)
    return row.status
  }
}
