import type { Executor } from '../database.ts'

/** Operator settings every instance reads (JSON text by key). */
export async function readAdminSetting(db: Executor, key: string): Promise<unknown> {
  const row = await db.selectFrom('adminSettings').select('value').where('key', '=', key).executeTakeFirst()
  return row === undefined ? undefined : JSON.parse(row.value)
}

export async function writeAdminSetting(db: Executor, key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value)
  await db
    .insertInto('adminSettings')
    .values({ key, value: text })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: text }))
    .execute()
}

/** Removes every setting whose key starts with `prefix` (LIKE wildcards in it are not expected). */
export async function deleteAdminSettings(db: Executor, prefix: string): Promise<void> {
  await db.deleteFrom('adminSettings').where('key', 'like', `${prefix}%`).execute()
}
