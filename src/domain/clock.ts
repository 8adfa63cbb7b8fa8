/** Source of the current time; injected so tests and the reconciler agree on "now". */
export interface Clock {
  now(): Date
}

export const systemClock: Clock = { now: () => new Date() }

/** Stored timestamps are ISO-8601 UTC with milliseconds, so text order is time order on every database. */
export function toStoredTime(date: Date): string {
  return date.toISOString()
}

/** Wire timestamps are `YYYY-MM-DDTHH:MM:SSZ` (digest §1.7): whole seconds, no fraction. */
export function toWireTime(stored: string): string {
  return `${stored.slice(0, 19)}Z`
}
