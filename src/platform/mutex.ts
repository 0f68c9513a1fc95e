/** A first-come, first-served async lock. */
export class Mutex {
  private locked = false;
  private readonly waiters: Array<() => void> = [];

  /** Held now (for /metrics: the embedded database's one session in use). */
  get held(): boolean {
    return this.locked;
  }

  /** Callers waiting for it now. */
  get waiting(): number {
    return this.waiters.length;
  }

  async lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  unlock(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.locked = false;
  }
}
