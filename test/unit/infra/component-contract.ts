// What each deployed component needs from its environment (the names are fixed in the team contract and read by
// shared/**/*-from-env.ts), and which variables are read by libraries rather than by our code.

/** Environment each function or container must receive. */
export const REQUIRED_ENV: Record<string, string[]> = {
  manage: [
    'DSC_AUTH',
    'DSC_STORE',
    'DSC_FIRESTORE_DATABASE',
    'GOOGLE_CLOUD_PROJECT',
    'DSC_DISPATCH',
    'DSC_PLAN_TOPIC',
    'DSC_TASK_TOPIC',
    'DSC_SECRETS',
  ],
  plan: [
    'DSC_STORE',
    'DSC_FIRESTORE_DATABASE',
    'GOOGLE_CLOUD_PROJECT',
    'DSC_DISPATCH',
    'DSC_PLAN_TOPIC',
    'DSC_TASK_TOPIC',
    'DSC_SECRETS',
    'KAFKA_BROKERS',
  ],
  work: [
    'DSC_STORE',
    'DSC_FIRESTORE_DATABASE',
    'GOOGLE_CLOUD_PROJECT',
    'DSC_DISPATCH',
    'DSC_PLAN_TOPIC',
    'DSC_TASK_TOPIC',
    'DSC_SECRETS',
    'KAFKA_BROKERS',
    'DSC_TASK_BUDGET_SECONDS',
  ],
  notify: [
    'DSC_STORE',
    'DSC_FIRESTORE_DATABASE',
    'GOOGLE_CLOUD_PROJECT',
    'DSC_DISPATCH',
    'DSC_PLAN_TOPIC',
    'DSC_TASK_TOPIC',
    'DSC_SECRETS',
  ],
  mirror: ['DSC_STORE', 'DSC_FIRESTORE_DATABASE', 'GOOGLE_CLOUD_PROJECT', 'DSC_SECRETS', 'KAFKA_BROKERS'],
};

/** A Cloud Run job execution must be told when to stop (the worker pool runs until stopped). */
export const MIRROR_JOB_ENV = ['DSC_MIRROR_RUN_SECONDS'];

/**
 * Set for libraries, not read by our code: google-auth-library picks the project from GOOGLE_CLOUD_PROJECT; the AWS
 * SDK's default chain reads AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and @azure/identity's reads AZURE_TENANT_ID,
 * AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (S3 and Azure connectors without keys in their config, docs/sources.md).
 */
export const LIBRARY_ENV = new Set([
  'GOOGLE_CLOUD_PROJECT',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
]);

/** A task must checkpoint before the platform kills it: timeout - budget must leave at least this much. */
export const MIN_SHUTDOWN_MARGIN_SECONDS = 30;
