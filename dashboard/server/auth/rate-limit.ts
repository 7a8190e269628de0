// Sign-in throttle with exponential backoff, in memory. Each key (one account from one address, or one
// address) may fail `free` times; every failure after that makes the key wait before its next attempt
// is even checked: baseMs, then twice as long, up to maxMs. Failures leak away (one forgiven every
// decayMs), and a successful sign-in resets its key. Nothing is locked for good, and nobody can lock an
// account for people signing in from elsewhere.
export interface BackoffRule {
  /** Failures allowed before the first wait. */
  free: number;
  /** The first wait; each further failure doubles it. */
  baseMs: number;
  /** The longest wait. */
  maxMs: number;
  /** One failure is forgiven per this much time. */
  decayMs: number;
}

interface Entry {
  failures: number;
  /** When the failures were last counted (decay runs from here). */
  since: number;
  /** No attempt before this time. */
  until: number;
}

/** Keys kept at most (the oldest are dropped beyond it, after forgiven ones). */
const MAX_KEYS = 10_000;

export class FailureBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly rule: BackoffRule) {}

  /** How long the key must still wait before its next attempt (0: it may try now). */
  waitMs(key: string, now: number): number {
    const entry = this.current(key, now);
    return entry ? Math.max(0, entry.until - now) : 0;
  }

  fail(key: string, now: number): void {
    const entry = this.current(key, now) ?? { failures: 0, since: now, until: 0 };
    entry.failures += 1;
    entry.since = now;
    const over = entry.failures - this.rule.free;
    if (over >= 0) entry.until = now + Math.min(this.rule.maxMs, this.rule.baseMs * 2 ** over);
    this.entries.delete(key); // re-insert: the map stays ordered oldest first
    this.entries.set(key, entry);
    if (this.entries.size > MAX_KEYS) this.sweep(now);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** The key's entry after decay; dropped once nothing is left to remember. */
  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const forgiven = Math.floor((now - entry.since) / this.rule.decayMs);
    if (forgiven > 0) {
      entry.failures = Math.max(0, entry.failures - forgiven);
      entry.since += forgiven * this.rule.decayMs;
    }
    if (entry.failures === 0 && now >= entry.until) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(now: number): void {
    for (const key of [...this.entries.keys()]) this.current(key, now);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= MAX_KEYS) break;
      this.entries.delete(key);
    }
  }
}

/** "3 seconds", "15 minutes": how long to wait, rounded up. */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}
