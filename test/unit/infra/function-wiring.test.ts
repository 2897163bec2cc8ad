import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { envReads, registeredFunctions } from './code-scan.js';
import { checkFunctionWiring } from './terraform-checks.js';
import { parseTerraformDir } from './terraform-model.js';
import { FIXTURES, INFRA, ROOT } from './paths.js';

describe('functions and the mirror container are wired to what the code registers and reads', () => {
  it('every registered function has a nodejs22 resource with the environment the code reads', async () => {
    const { module } = await parseTerraformDir(INFRA);
    const registered = registeredFunctions(join(ROOT, 'functions'));
    const reads = envReads([join(ROOT, 'functions'), join(ROOT, 'shared')]);
    expect(registered.map((r) => r.name).sort()).toEqual(['manage', 'notify', 'plan', 'work']);
    expect(checkFunctionWiring(module, registered, reads)).toEqual([]);
  });

  it('reports a wrong entry point and runtime, unread and missing variables, and a timeout without margin', async () => {
    const { module } = await parseTerraformDir(join(FIXTURES, 'wiring'));
    const registered = [
      { name: 'manage', kind: 'http' as const, file: 'functions/manage.ts' },
      { name: 'work', kind: 'cloudEvent' as const, file: 'functions/work.ts' },
    ];
    const reads = new Set(['DSC_STORE', 'DSC_DISPATCH', 'DSC_PLAN_TOPIC', 'DSC_TASK_BUDGET_SECONDS']);
    const reasons = checkFunctionWiring(module, registered, reads).map((p) => `${p.where}: ${p.reason}`);
    expect(reasons).toContain(
      'google_cloudfunctions2_function.manage: runtime is nodejs20, expected nodejs22 (package.json engines)',
    );
    expect(reasons).toContain(
      'google_cloudfunctions2_function.manage: entry_point mange is not registered by any functions/*.ts (http/cloudEvent)',
    );
    expect(reasons).toContain('google_cloudfunctions2_function.manage: sets DSC_STOR, which the code never reads');
    expect(reasons).toContain('manage: registered function manage has no google_cloudfunctions2_function');
    expect(reasons).toContain('google_cloudfunctions2_function.work: work needs KAFKA_BROKERS, which is not set');
    expect(reasons).toContain(
      'google_cloudfunctions2_function.work: timeout_seconds 480 leaves less than 30 s after DSC_TASK_BUDGET_SECONDS 480',
    );
  });
});
