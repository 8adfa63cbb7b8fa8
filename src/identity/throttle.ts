import { ApiError } from '../domain/errors.ts'

export interface ThrottlePolicy {
  /** Failures a key may have before each further one makes it wait; a key's weight multiplies it. */
  failuresBeforeBackoff: number
  /** The longest wait one failure can bring. */
  maxBackoffSeconds: number
}

/** One key an attempt counts against: `weight` scales the failures it may have (an address serves many users). */
export interface ThrottleKey {
  key: string
  weight: number
  /** Whether a success forgets this key's failures (a user's do; an address's only age out). */
  resetOnSuccess: boolean
  /**
   * Whether attempts still being checked count against the allowance once the key has failed: so a
   * burst of costly guesses cannot slip past it. Off for cheap checks that honest clients run in parallel.
   */
  countInFlight: boolean
}

interface Entry {
  failures: number
  inFlight: number
  blockedUntilMs: number
  lastFailureMs: number
}

/** Failures older than this are forgotten, whatever the key. */
const FORGET_AFTER_MS = 15 * 60 * 1000
/** Keys remembered at most; past it the least recently failed are dropped, so random names cannot grow memory. */
const MAX_KEYS = 100_000

export interface Attempt {
  succeeded(): void
  failed(): void
  /** The attempt was never judged (refused before the check ran): it changes nothing. */
  abandoned(): void
}

/**
 * Slows guessing: each key (a user, an address, an access key) may fail a few times freely, then every
 * further failure doubles its wait, up to a cap. Kept in this process (like the rate limiter).
 */
export class FailureThrottle {
  private readonly entries = new Map<string, Entry>()

  constructor(
    private readonly policy: ThrottlePolicy,
    private readonly now: () => number,
  ) {}

  /** Starts an attempt against `keys`, or throws 429 (EndPoint.0022, with `retryAfter`) when one must wait. */
  begin(keys: ThrottleKey[], what: string): Attempt {
    const now = this.now()
    let waitMs = 0
    for (const { key, weight, countInFlight } of keys) {
      const entry = this.current(key, now)
      if (!entry) continue
      if (entry.blockedUntilMs > now) waitMs = Math.max(waitMs, entry.blockedUntilMs - now)
      else if (countInFlight && entry.failures > 0 && entry.inFlight > 0 && entry.failures + entry.inFlight >= this.allowance(weight)) waitMs = Math.max(waitMs, 1000)
    }
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000)
      throw Object.assign(new ApiError('throttled', `Too many failed ${what}; retry in ${retryAfter} s.`, 429), { retryAfter })
    }
    // Only keys that count attempts in flight need an entry now; the others (every signed request's
    // access key) get one only when they fail, so a success costs no map write.
    const held = keys.map((k) => ({ ...k, entry: k.countInFlight ? this.entryFor(k.key, now) : undefined }))
    for (const { entry } of held) if (entry) entry.inFlight++
    let settled = false
    const release = (reset: boolean) => {
      if (settled) return
      settled = true
      for (const { key, entry: heldEntry, resetOnSuccess } of held) {
        const entry = heldEntry ?? this.entries.get(key)
        if (!entry) continue
        if (heldEntry) entry.inFlight--
        if (reset && resetOnSuccess) entry.failures = 0
        if (entry.failures === 0 && entry.inFlight === 0) this.entries.delete(key)
      }
    }
    return {
      succeeded: () => release(true),
      abandoned: () => release(false),
      failed: () => {
        if (settled) return
        settled = true
        const at = this.now()
        for (const { key, weight, entry: heldEntry } of held) {
          const entry = heldEntry ?? this.entryFor(key, at)
          if (heldEntry) entry.inFlight--
          entry.failures++
          entry.lastFailureMs = at
          const over = entry.failures - this.allowance(weight)
          if (over >= 0) entry.blockedUntilMs = at + Math.min(this.policy.maxBackoffSeconds * 1000, 1000 * 2 ** Math.min(over, 30))
          // Re-inserted, so the map's order is by last failure and the oldest go first when it is full.
          this.entries.delete(key)
          this.entries.set(key, entry)
        }
        this.trim()
      },
    }
  }

  /** Keys remembered now (for tests and metrics). */
  get size(): number {
    return this.entries.size
  }

  private allowance(weight: number): number {
    return this.policy.failuresBeforeBackoff * weight
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key)
    if (entry && entry.inFlight === 0 && entry.blockedUntilMs <= now && now - entry.lastFailureMs > FORGET_AFTER_MS) {
      this.entries.delete(key)
      return undefined
    }
    return entry
  }

  private entryFor(key: string, now: number): Entry {
    let entry = this.current(key, now)
    if (!entry) {
      entry = { failures: 0, inFlight: 0, blockedUntilMs: 0, lastFailureMs: now }
      this.entries.set(key, entry)
    }
    return entry
  }

  private trim(): void {
    if (this.entries.size <= MAX_KEYS) return
    for (const [key, entry] of this.entries) {
      if (this.entries.size <= MAX_KEYS) break
      if (entry.inFlight === 0) this.entries.delete(key)
    }
  }
}

/** An attempt that never throttles: what a server with VPCEP_AUTH_THROTTLE=off uses. */
export const UNTHROTTLED: Pick<FailureThrottle, 'begin'> = {
  begin: () => ({ succeeded() {}, failed() {}, abandoned() {} }),
}
