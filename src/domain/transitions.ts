import type { Executor } from '../store/database.ts'

export const TRANSITION_TYPES = ['endpoint_service', 'endpoint'] as const
export type TransitionType = (typeof TRANSITION_TYPES)[number]
export const TRANSITION_MODES = ['immediate', 'timed', 'manual'] as const
export type TransitionMode = (typeof TRANSITION_MODES)[number]

export interface TransitionSetting {
  mode: TransitionMode
  delayMs: number
}

/**
 * When a resource's pending transition (creating → …, deleting → gone) becomes due. By default a fixed
 * delay per resource type from the settings. With the admin API enabled, tests can switch a type to
 * `immediate`, `timed` (their own delay) or `manual` (nothing happens until they advance it); the choice
 * lives in the database so every instance applies it.
 */
export class TransitionPolicy {
  constructor(
    private readonly defaults: Record<TransitionType, number>,
    private readonly adminEnabled: boolean,
  ) {}

  /** The due time for a transition scheduled `from` now, or null when it waits for a manual advance. */
  async dueAt(db: Executor, type: TransitionType, from: Date): Promise<string | null> {
    const setting = await this.setting(db, type)
    if (setting.mode === 'manual') return null
    return new Date(from.getTime() + (setting.mode === 'immediate' ? 0 : setting.delayMs)).toISOString()
  }

  async setting(db: Executor, type: TransitionType): Promise<TransitionSetting> {
    if (this.adminEnabled) {
      const row = await db.selectFrom('adminSettings').select('value').where('key', '=', `transitions.${type}`).executeTakeFirst()
      if (row) return JSON.parse(row.value) as TransitionSetting
    }
    return { mode: 'timed', delayMs: this.defaults[type] }
  }

  async set(db: Executor, type: TransitionType, setting: TransitionSetting): Promise<void> {
    const value = JSON.stringify(setting)
    await db
      .insertInto('adminSettings')
      .values({ key: `transitions.${type}`, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute()
  }

  /** Back to the configured delays. */
  async reset(db: Executor): Promise<void> {
    await db.deleteFrom('adminSettings').where('key', 'like', 'transitions.%').execute()
  }
}
