// The roles each principal may hold in infra/ — one service account per component, each with only what its code
// uses. `custom:<name>` is a google_project_iam_custom_role of infra/ (its permissions are checked separately).

export const ROLE_ALLOW_LIST: Record<string, string[]> = {
  // Lifecycle API: store, plan requests, connector secrets (create + write dsc-* only; never read).
  manage: ['roles/datastore.user', 'roles/pubsub.publisher', 'custom:secret_creator', 'custom:secret_writer'],
  // Planner: store, task fan-out, lists connector files, reads connector credentials.
  plan: [
    'roles/datastore.user',
    'roles/pubsub.publisher',
    'roles/storage.objectViewer',
    'roles/secretmanager.secretAccessor',
  ],
  // Task worker: same as the planner (re-publishes its own task when out of time budget).
  work: [
    'roles/datastore.user',
    'roles/pubsub.publisher',
    'roles/storage.objectViewer',
    'roles/secretmanager.secretAccessor',
  ],
  // Storage notifications: store lookup, plan requests.
  notify: ['roles/datastore.user', 'roles/pubsub.publisher'],
  // Mirror container: store (offsets, status) and credentials of the source cluster.
  mirror: ['roles/datastore.user', 'roles/secretmanager.secretAccessor'],
  // Identities that only invoke.
  pubsub_push: ['roles/run.invoker'],
  events: ['roles/run.invoker', 'roles/eventarc.eventReceiver'],
  scheduler: ['roles/run.invoker'],
  // Google-managed service agents.
  'gcs-service-agent': ['roles/pubsub.publisher'],
  'pubsub-service-agent': ['roles/pubsub.publisher', 'roles/pubsub.subscriber', 'roles/iam.serviceAccountTokenCreator'],
  // People/groups calling the management API.
  manage_invokers: ['roles/run.invoker'],
};

/** Permissions each custom role may carry. */
export const CUSTOM_ROLE_PERMISSIONS: Record<string, string[]> = {
  secret_creator: ['secretmanager.secrets.create'],
  secret_writer: ['secretmanager.secrets.get', 'secretmanager.secrets.delete', 'secretmanager.versions.add'],
};

/** Custom roles that must be bound with an IAM condition (they act on existing secrets: only dsc-* ones). */
export const CONDITIONAL_ROLES = new Set(['custom:secret_writer', 'roles/secretmanager.secretAccessor@project']);

/** Never acceptable anywhere. */
export const FORBIDDEN_ROLES = [
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'roles/secretmanager.admin',
  'roles/iam.serviceAccountAdmin',
];
export const FORBIDDEN_MEMBERS = ['allUsers', 'allAuthenticatedUsers'];
