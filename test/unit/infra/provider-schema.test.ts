import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { PROVIDER_SCHEMA } from './provider-schema.js';
import { checkProviderSchema } from './terraform-checks.js';
import { parseTerraformDir } from './terraform-model.js';
import { FIXTURES, INFRA } from './paths.js';

describe('resource types and arguments are on the provider allow-list', () => {
  it('infra/ uses only documented resource types and arguments', async () => {
    const { module } = await parseTerraformDir(INFRA);
    expect(checkProviderSchema(module, PROVIDER_SCHEMA)).toEqual([]);
  });

  it('reports a misspelt argument, a wrong nested argument and an unknown resource type', async () => {
    const { module } = await parseTerraformDir(join(FIXTURES, 'unknown-argument'));
    const reasons = checkProviderSchema(module, PROVIDER_SCHEMA)
      .map((p) => `${p.where}: ${p.reason}`)
      .sort();
    expect(reasons).toEqual([
      'google_cloud_run_job.mirror: resource type google_cloud_run_job is not on the allow-list',
      'google_cloudfunctions2_function.manage.build_config: "entrypoint" is not an argument of google_cloudfunctions2_function block build_config',
      'google_cloudfunctions2_function.manage.service_config: "timeout" is not an argument of google_cloudfunctions2_function block service_config',
    ]);
  });
});
