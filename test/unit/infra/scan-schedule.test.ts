// The scheduled scan's Terraform (infra/scan.tf): Cloud Scheduler publishes a message the code takes for a
// ScanRequest, on a topic that a push subscription (with retry and dead letter, checked in iam-and-delivery) delivers
// to the function that answers ScanRequests; the schedule is a cron and "" turns the job off.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isScanRequest } from '../../../shared/file/scan-schedule.js';
import { block, blocksOfType, resolve } from './terraform-model.js';
import { parseTerraformDir } from './terraform-model.js';
import { INFRA, ROOT } from './paths.js';

describe('scheduled scan (infra/scan.tf)', () => {
  it('publishes a ScanRequest to the topic delivered to the function that handles it', async () => {
    const { module } = await parseTerraformDir(INFRA);
    const [job] = blocksOfType(module, 'google_cloud_scheduler_job').filter((b) => b.name === 'scan');
    expect(job?.file).toBe('scan.tf');
    expect(job.body.count).toBe('${var.scan_schedule == "" ? 0 : 1}');
    expect(job.body.time_zone).toBe('Etc/UTC');

    const target = block(job.body, 'pubsub_target');
    const literal = /^\$\{base64encode\("((?:[^"\\]|\\.)*)"\)\}$/.exec(target.data)?.[1];
    expect(literal).toBeDefined();
    expect(isScanRequest(JSON.parse(JSON.parse(`"${literal}"`)))).toBe(true);

    const topic = /^\$\{google_pubsub_topic\.([a-z_]+)\.id\}$/.exec(target.topic_name)?.[1];
    expect(topic).toBeDefined();
    const subs = blocksOfType(module, 'google_pubsub_subscription').filter(
      (s) => s.body.topic === `\${google_pubsub_topic.${topic}.id}`,
    );
    expect(subs).toHaveLength(1);
    const endpoint = String(block(subs[0].body, 'push_config').push_endpoint);
    const fn = /google_cloudfunctions2_function\.([a-z_]+)\./.exec(endpoint)?.[1];
    const resource = blocksOfType(module, 'google_cloudfunctions2_function').find((f) => f.name === fn);
    const entry = block(resource!.body, 'build_config').entry_point as string;
    // The entry point's source answers ScanRequests (the guard it decodes messages with accepts them).
    expect(readFileSync(join(ROOT, 'functions', `${entry}.ts`), 'utf8')).toMatch(/isScanRequest\(/);
    // Its answer (one scan PlanMessage per due connector) goes back on the same topic: its identity may publish there.
    const identity = /google_service_account\.([a-z_]+)\.email/.exec(
      block(resource!.body, 'service_config').service_account_email,
    )?.[1];
    const grants = blocksOfType(module, 'google_pubsub_topic_iam_member').filter(
      (g) =>
        g.body.topic === target.topic_name &&
        g.body.role === 'roles/pubsub.publisher' &&
        g.body.member === `\${google_service_account.${identity}.member}`,
    );
    expect(grants.length).toBeGreaterThan(0);
  });

  it('the default schedule is a five-field cron', async () => {
    const { module } = await parseTerraformDir(INFRA);
    const schedule = resolve(module, '${var.scan_schedule}') as string;
    expect(schedule.split(' ')).toHaveLength(5);
  });
});
