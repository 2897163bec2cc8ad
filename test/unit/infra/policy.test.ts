// The policy the checkov scan in .ci/run enforces, checked offline: every deliberate exception is an inline
// `checkov:skip=<id>:<reason>` with a real reason, and CMEK (var.kms_key_name) reaches every resource checkov asks it
// of. The scan itself (checkov -d infra) runs in .ci/run and fails CI on any failed check.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INFRA } from './paths.js';
import { blocksOfType, parseTerraformDir } from './terraform-model.js';

const tfFiles = () => readdirSync(INFRA).filter((f) => f.endsWith('.tf'));

describe('infra policy (checkov)', () => {
  it('every checkov:skip names a check id and gives a reason of a sentence', () => {
    const skips: string[] = [];
    for (const f of tfFiles()) {
      for (const line of readFileSync(join(INFRA, f), 'utf8').split('\n')) {
        const m = /checkov:skip=([^:\s]*)(?::(.*))?/.exec(line);
        if (!m) continue;
        skips.push(m[1]);
        expect(m[1], `${f}: ${line.trim()}`).toMatch(/^CKV2?_[A-Z]+_\d+$/);
        expect((m[2] ?? '').trim().length, `${f}: ${line.trim()} needs a reason`).toBeGreaterThan(40);
      }
    }
    // The two deliberate exceptions; a new one is a decision to review, not a quiet addition.
    expect(skips.sort()).toEqual(['CKV_GCP_124', 'CKV_GCP_62']);
  });

  it('var.kms_key_name encrypts every Pub/Sub topic and the Artifact Registry repository', async () => {
    const { module } = await parseTerraformDir(INFRA);
    const encrypted = [
      ...blocksOfType(module, 'google_pubsub_topic'),
      ...blocksOfType(module, 'google_artifact_registry_repository'),
    ];
    expect(encrypted.length).toBeGreaterThanOrEqual(4);
    for (const b of encrypted) expect(b.body.kms_key_name, `${b.type}.${b.name}`).toBe('${var.kms_key_name}');
    expect(module.variables.kms_key_name).toBeDefined();
  });

  it('the function source bucket keeps versions (and cleans up old ones)', async () => {
    const { module } = await parseTerraformDir(INFRA);
    const [bucket] = blocksOfType(module, 'google_storage_bucket').filter((b) => b.name === 'function_source');
    expect(JSON.stringify(bucket.body.versioning)).toContain('"enabled":true');
    expect(JSON.stringify(bucket.body.lifecycle_rule)).toContain('days_since_noncurrent_time');
  });
});
