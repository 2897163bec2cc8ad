import { describe, expect, it } from 'vitest';
import { continueTransition, pauseTransition, resumeTransition } from '../../../shared/lifecycle/transitions.js';

const c = { name: 'fs-person', epoch: 3 };

describe('pauseTransition', () => {
  it('pauses a RUNNING or UNASSIGNED connector without touching the epoch', () => {
    expect(pauseTransition(c, 'RUNNING')).toEqual({ ok: true, patch: { desired: 'PAUSED' } });
    expect(pauseTransition(c, 'UNASSIGNED')).toEqual({ ok: true, patch: { desired: 'PAUSED' } });
  });

  it('refuses with 409 and a sentence for PAUSED, FINISHED and FAILED', () => {
    expect(pauseTransition(c, 'PAUSED')).toEqual({
      ok: false,
      status: 409,
      message: 'connector fs-person is already paused',
    });
    const finished = pauseTransition(c, 'FINISHED');
    expect(finished.ok || finished.message).toMatch(/FINISHED.*nothing to pause/);
    const failed = pauseTransition(c, 'FAILED');
    expect(failed.ok || failed.message).toMatch(/FAILED.*resume it to retry, or delete it/);
  });
});

describe('resumeTransition', () => {
  it('resumes PAUSED and FAILED connectors and bumps the epoch', () => {
    expect(resumeTransition(c, 'PAUSED')).toEqual({ ok: true, patch: { desired: 'RUNNING', epoch: 4 } });
    expect(resumeTransition(c, 'FAILED')).toEqual({ ok: true, patch: { desired: 'RUNNING', epoch: 4 } });
  });

  it('refuses a running connector', () => {
    expect(resumeTransition(c, 'RUNNING')).toEqual({
      ok: false,
      status: 409,
      message: 'connector fs-person is running; nothing to resume',
    });
    expect(resumeTransition(c, 'UNASSIGNED').ok).toBe(false);
  });

  it('refuses a FINISHED connector and explains delete + create', () => {
    const t = resumeTransition(c, 'FINISHED');
    expect(t.ok).toBe(false);
    expect(t.ok || t.message).toMatch(/delete the connector and create it again/);
  });
});

describe('continueTransition (dsc run on an existing connector)', () => {
  it('gives any unfinished connector a new epoch, running ones too (an earlier process may still hold them)', () => {
    for (const state of ['RUNNING', 'UNASSIGNED', 'PAUSED', 'FAILED'] as const)
      expect(continueTransition(c, state)).toEqual({ ok: true, patch: { desired: 'RUNNING', epoch: 4 } });
  });

  it('refuses a FINISHED connector', () => {
    const t = continueTransition(c, 'FINISHED');
    expect(t.ok).toBe(false);
    expect(t.ok || t.message).toMatch(/fs-person has FINISHED/);
  });
});
