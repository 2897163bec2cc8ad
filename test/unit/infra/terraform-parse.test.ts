import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { parseTerraformDir } from './terraform-model.js';
import { FIXTURES, INFRA } from './paths.js';

describe('infra/*.tf parse with the HCL parser', () => {
  it('parses every file of infra/ and finds the whole system', async () => {
    const { module, problems } = await parseTerraformDir(INFRA);
    expect(problems).toEqual([]);
    const types = new Set(module.blocks.map((b) => b.type));
    for (const t of [
      'google_firestore_database',
      'google_cloudfunctions2_function',
      'google_pubsub_subscription',
      'google_eventarc_trigger',
      'google_artifact_registry_repository',
      'google_cloud_run_v2_job',
      'google_cloud_run_v2_worker_pool',
      'google_cloud_scheduler_job',
      'google_service_account',
    ])
      expect(types, t).toContain(t);
    expect(Object.keys(module.outputs)).toContain('manage_url');
  });

  it('reports a syntax error with the file and position', async () => {
    const { problems } = await parseTerraformDir(join(FIXTURES, 'broken-hcl'));
    expect(problems).toHaveLength(1);
    expect(problems[0].file).toBe('main.tf');
    expect(problems[0].reason).toMatch(/main\.tf:\d+,\d+/);
  });
});
