/**
 * Stopping a benchmark run part-way without losing it: Ctrl-C (SIGINT) or SIGTERM (what `timeout`
 * sends when a time limit ends, as on a GPU machine lent for a few minutes) ends the run after the
 * case in flight, or at once where that case's worker or browser died of the same signal, and the
 * cases measured so far are still reported and written, as a partial run. A second signal exits at
 * once.
 */

/** What a stop signal turns the run loop's current await into. */
export class StopRequested extends Error {
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(`stopped by ${signal}`);
    this.name = 'StopRequested';
  }
}

/** The exit status of a process stopped by `signal`, as a shell reports it (128 + its number). */
export function stopStatus(signal: StopRequested['signal']): number {
  return 128 + (signal === 'SIGINT' ? 2 : 15);
}

/** The part of `process` that stop handling uses (a fake in tests). */
export interface SignalSource {
  once(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  removeListener(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  exit(code: number): void;
}

export interface StopWatch {
  /** The first stop signal received, or null. */
  readonly signal: StopRequested['signal'] | null;
  /** Rejects with {@link StopRequested} at the first signal; race the run's awaits against it. */
  readonly stopped: Promise<never>;
  /** Throws {@link StopRequested} if a signal has come. */
  check(): void;
  /** Stops listening (the signals' default actions apply again). */
  dispose(): void;
}

/**
 * Listens for SIGINT and SIGTERM: the first makes `stopped` reject and `check()` throw, so the
 * run loop ends and reports what it has; the second exits at once with the signal's status.
 *
 * @example
 * const stop = watchStopSignals();
 * for (const spec of cases) {
 *   stop.check();
 *   records.push(await Promise.race([runtime.runCase(spec, progress), stop.stopped]));
 * }
 */
export function watchStopSignals(source: SignalSource = process): StopWatch {
  let signal: StopRequested['signal'] | null = null;
  let reject!: (e: StopRequested) => void;
  const stopped = new Promise<never>((_, r) => {
    reject = r;
  });
  // Nobody may be racing it when the signal comes (between cases): not an unhandled rejection.
  stopped.catch(() => {});
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((name) => {
    const first = () => {
      if (signal !== null) return source.exit(stopStatus(name));
      signal = name;
      reject(new StopRequested(name));
      // The second signal of either kind exits at once.
      source.once(name, first);
    };
    source.once(name, first);
    return [name, first] as const;
  });
  return {
    get signal() {
      return signal;
    },
    stopped,
    check() {
      if (signal !== null) throw new StopRequested(signal);
    },
    dispose() {
      for (const [name, l] of listeners) source.removeListener(name, l);
    },
  };
}
