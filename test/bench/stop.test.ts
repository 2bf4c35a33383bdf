/**
 * Stopping a benchmark run by signal (bench/stop.ts): the first SIGINT/SIGTERM stops the run
 * (what was measured is kept), the second exits at once with the shell's status for it.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, test, vi } from 'vitest';
import { StopRequested, stopStatus, watchStopSignals, type SignalSource } from '../../bench/stop.js';

function fakeProcess(): SignalSource & { emit(event: string): boolean; listenerCount(event: string): number; exit: ReturnType<typeof vi.fn> } {
  const e = new EventEmitter() as EventEmitter & { exit: ReturnType<typeof vi.fn> };
  e.exit = vi.fn();
  return e as never;
}

describe('watchStopSignals', () => {
  test('no signal: check() passes, stopped stays pending, signal is null', async () => {
    const p = fakeProcess();
    const stop = watchStopSignals(p);
    expect(stop.signal).toBeNull();
    expect(() => stop.check()).not.toThrow();
    const raced = await Promise.race([stop.stopped.then(() => 'resolved', () => 'rejected'), new Promise((r) => setTimeout(() => r('pending'), 20))]);
    expect(raced).toBe('pending');
    expect(p.exit).not.toHaveBeenCalled();
  });

  test.each(['SIGINT', 'SIGTERM'] as const)('the first %s rejects stopped, makes check() throw, and does not exit', async (sig) => {
    const p = fakeProcess();
    const stop = watchStopSignals(p);
    p.emit(sig);
    expect(stop.signal).toBe(sig);
    await expect(stop.stopped).rejects.toBeInstanceOf(StopRequested);
    await expect(stop.stopped).rejects.toMatchObject({ signal: sig, message: `stopped by ${sig}` });
    expect(() => stop.check()).toThrow(StopRequested);
    expect(p.exit).not.toHaveBeenCalled();
  });

  test('a second signal of either kind exits at once with the status of the second', () => {
    for (const [first, second, status] of [
      ['SIGINT', 'SIGINT', 130],
      ['SIGINT', 'SIGTERM', 143],
      ['SIGTERM', 'SIGINT', 130],
      ['SIGTERM', 'SIGTERM', 143],
    ] as const) {
      const p = fakeProcess();
      const stop = watchStopSignals(p);
      p.emit(first);
      expect(p.exit).not.toHaveBeenCalled();
      p.emit(second);
      expect(p.exit).toHaveBeenCalledExactlyOnceWith(status);
      expect(stop.signal).toBe(first);
    }
  });

  test('dispose() removes every listener it added, before and after a signal', () => {
    const p = fakeProcess();
    watchStopSignals(p).dispose();
    expect(p.listenerCount('SIGINT') + p.listenerCount('SIGTERM')).toBe(0);
    const q = fakeProcess();
    const stop = watchStopSignals(q);
    q.emit('SIGINT');
    stop.dispose();
    expect(q.listenerCount('SIGINT') + q.listenerCount('SIGTERM')).toBe(0);
  });

  test('stopStatus is 128 + the signal number', () => {
    expect(stopStatus('SIGINT')).toBe(130);
    expect(stopStatus('SIGTERM')).toBe(143);
  });
});
