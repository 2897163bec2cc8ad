import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registeredFunctions } from './code-scan.js';
import { checkDelivery, checkIam } from './terraform-checks.js';
import { parseTerraformDir } from './terraform-model.js';
import { CLOUDBUILD, FIXTURES, INFRA, ROOT } from './paths.js';

describe('least-privilege IAM', () => {
  it('every binding in infra/ is on the role allow-list, one service account per component', async () => {
    const { module } = await parseTerraformDir(INFRA);
    expect(checkIam(module)).toEqual([]);
  });

  it('reports primitive and over-broad roles, public invokers, unconditioned secret access and shared identities', async () => {
    const { module } = await parseTerraformDir(join(FIXTURES, 'iam'));
    const reasons = checkIam(module).map((p) => `${p.where}: ${p.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'google_service_account.reporting: no role allow-list entry',
        'google_project_iam_member.manage_editor: roles/editor is never granted',
        'google_project_iam_member.manage_editor: manage may not hold roles/editor',
        'google_storage_bucket_iam_member.plan_admin: plan may not hold roles/storage.admin',
        'google_project_iam_member.plan_reads_all_secrets: roles/secretmanager.secretAccessor on the project needs a condition on secrets/dsc-*',
        'google_cloud_run_v2_service_iam_member.public: allUsers may not hold any role',
        'google_cloudfunctions2_function.plan: shares service account manage with google_cloudfunctions2_function.manage',
      ]),
    );
  });
});

describe('event delivery retries and dead-letters', () => {
  it('plan, work and notify are delivered with retry and a dead-letter topic', async () => {
    const { module } = await parseTerraformDir(INFRA);
    const registered = registeredFunctions(join(ROOT, 'functions'));
    expect(checkDelivery(module, registered, readFileSync(CLOUDBUILD, 'utf8'))).toEqual([]);
  });

  it('reports missing dead letter, retry and delivery', async () => {
    const { module } = await parseTerraformDir(join(FIXTURES, 'delivery'));
    const reasons = checkDelivery(module, [], '').map((p) => `${p.where}: ${p.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'google_pubsub_subscription.plan: no dead_letter_policy.dead_letter_topic',
        'google_pubsub_subscription.plan: no retry_policy (backoff) block',
        'google_pubsub_subscription.plan: ack_deadline_seconds 10 < function timeout 300: Pub/Sub would redeliver running work',
        'google_cloudfunctions2_function.work: event_trigger without retry_policy = "RETRY_POLICY_RETRY"',
        'google_cloudfunctions2_function.notify: nothing delivers events to notify',
      ]),
    );
  });
});
