import { describe, expect, it } from 'vitest';
import type { PlanMessage, TaskMessage } from '../../../shared/dispatch/dispatcher.js';
import {
  DEFAULT_MAX_RUNNING_TASKS,
  InProcessDispatcher,
  maxRunningTasksFromEnv,
} from '../../../shared/dispatch/in-process-dispatcher.js';
import { createLogger } from '../../../shared/runtime/log.js';

describe('InProcessDispatcher', () => {
  it('runs handlers on a later turn, never on the caller stack', async () => {
    const seen: string[] = [];
    const d = new InProcessDispatcher({
      plan: async (m) => void seen.push(`plan ${m.connector}`),
      task: async (m) => void seen.push(`task ${m.taskId}`),
    });
    await d.plan({ connector: 'a', epoch: 1 });
    await d.task({ connector: 'a', epoch: 1, taskId: 3 });
    seen.push('caller continued');
    await d.drain();
    expect(seen).toEqual(['caller continued', 'plan a', 'task 3']);
  });

  it('settled() resolves when a message was handled, and at once for an aborted wait, which leaves no listener', async () => {
    let finish!: () => void;
    const d = new InProcessDispatcher({
      plan: async () => {},
      task: () => new Promise<void>((r) => (finish = r)),
    });
    const stop = new AbortController();
    const aborted = d.settled(stop.signal);
    stop.abort();
    await aborted;
    let settled = false;
    const waiting = d.settled().then(() => (settled = true));
    await d.task({ connector: 'a', epoch: 1, taskId: 0 });
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false); // the task is still running
    finish();
    await waiting;
    expect(settled).toBe(true);
    expect((d as unknown as { settledListeners: unknown[] }).settledListeners).toEqual([]);
  });

  it('drain waits for work that handlers dispatched meanwhile (plan → tasks)', async () => {
    const tasks: TaskMessage[] = [];
    const d: InProcessDispatcher = new InProcessDispatcher({
      plan: async (m: PlanMessage) => {
        for (let i = 0; i < 3; i++) await d.task({ connector: m.connector, epoch: m.epoch, taskId: i });
      },
      task: async (m) => {
        await new Promise((r) => setTimeout(r, 5));
        tasks.push(m);
      },
    });
    await d.plan({ connector: 'a', epoch: 2 });
    await d.idle();
    expect(tasks.map((t) => t.taskId).sort()).toEqual([0, 1, 2]);
    expect(d.pending).toBe(0);
  });

  it('logs a handler error instead of throwing it into the caller', async () => {
    const lines: string[] = [];
    const d = new InProcessDispatcher(
      {
        plan: async () => {
          throw new Error('bucket gone');
        },
        task: async () => {},
      },
      createLogger({}, (l) => lines.push(l)),
    );
    await expect(d.plan({ connector: 'a', epoch: 1 })).resolves.toBeUndefined();
    await d.drain();
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({
        severity: 'ERROR',
        message: 'plan handler failed',
        connector: 'a',
        error: 'bucket gone',
      }),
    ]);
  });

  it('keeps messages dispatched before setHandlers and runs them once handlers arrive', async () => {
    const d = new InProcessDispatcher();
    await d.plan({ connector: 'early', epoch: 1 });
    await d.drain();
    expect(d.pending).toBe(1);
    const plans: string[] = [];
    d.setHandlers({ plan: async (m) => void plans.push(m.connector), task: async () => {} });
    await d.drain();
    expect(plans).toEqual(['early']);
    expect(d.pending).toBe(0);
  });
});

describe('InProcessDispatcher task bound', () => {
  it('runs at most maxRunningTasks tasks at once and queues the rest, all of them eventually', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    const d = new InProcessDispatcher(
      {
        plan: async () => {},
        task: async (m) => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 2));
          running--;
          done.push(m.taskId);
        },
      },
      undefined,
      3,
    );
    for (let i = 0; i < 20; i++) await d.task({ connector: 'a', epoch: 1, taskId: i });
    await new Promise((r) => setTimeout(r, 1));
    expect(d.tasks.running).toBeLessThanOrEqual(3);
    await d.idle();
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(d.tasks).toEqual({ running: 0, queued: 0 });
  });

  it('reads DSC_MAX_RUNNING_TASKS, refusing a bad value by name', () => {
    expect(maxRunningTasksFromEnv({})).toBe(DEFAULT_MAX_RUNNING_TASKS);
    expect(maxRunningTasksFromEnv({ DSC_MAX_RUNNING_TASKS: '2' })).toBe(2);
    expect(() => maxRunningTasksFromEnv({ DSC_MAX_RUNNING_TASKS: '0' })).toThrow(/DSC_MAX_RUNNING_TASKS/);
  });
});
