import type { Executor } from '../store/database.ts'
import { deleteAdminSettings, readAdminSetting, writeAdminSetting } from '../store/repos/admin-settings.ts'

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
      const stored = (await readAdminSetting(db, `transitions.${type}`)) as TransitionSetting | undefined
      if (stored) return stored
    }
    return { mode: 'timed', delayMs: this.defaults[type] }
  }

  async set(db: Executor, type: TransitionType, setting: TransitionSetting): Promise<void> {
    await writeAdminSetting(db, `transitions.${type}`, setting)
  }

  /** Back to the configured delays. */
  async reset(db: Executor): Promise<void> {
    await deleteAdminSettings(db, 'transitions.')
  }
}
