# Connector credentials (service-account keys, SASL passwords, keystore passwords) live in Secret Manager as
# dsc-<connector>-<key>, created at runtime by the manage function's SecretManagerVault; the store keeps references.
#
# Least privilege for the writer (manage):
# - secretmanager.secrets.create is authorized on the parent project (REST reference for projects.secrets.create), so
#   a resource-name condition cannot narrow it; a custom role grants that one permission and nothing else (no read).
# - Everything done to an existing secret (add a version, read metadata, delete it with its connector) is granted by a
#   second custom role, only on names under projects/<number>/secrets/dsc-.
# roles/secretmanager.admin would also allow reading every secret and changing IAM policies; secretVersionAdder alone
# cannot create secrets. Readers (plan, work, mirror) get secretAccessor with the same name condition.

locals {
  connector_secret_prefix = "projects/${data.google_project.this.number}/secrets/dsc-"
  secret_readers = {
    plan   = google_service_account.plan.member
    work   = google_service_account.work.member
    mirror = google_service_account.mirror.member
  }
}

resource "google_project_iam_custom_role" "secret_creator" {
  role_id     = "dscSecretCreator"
  title       = "dsc connector secret creator"
  description = "Create Secret Manager secrets (no read, no IAM)."
  permissions = ["secretmanager.secrets.create"]
}

resource "google_project_iam_custom_role" "secret_writer" {
  role_id     = "dscSecretWriter"
  title       = "dsc connector secret writer"
  description = "Add versions to, read metadata of and delete connector secrets (bound with a dsc- name condition)."
  permissions = [
    "secretmanager.secrets.get",
    "secretmanager.secrets.delete",
    "secretmanager.versions.add",
  ]
}

resource "google_project_iam_member" "manage_creates_secrets" {
  project = var.project_id
  role    = google_project_iam_custom_role.secret_creator.id
  member  = google_service_account.manage.member
}

resource "google_project_iam_member" "manage_writes_connector_secrets" {
  project = var.project_id
  role    = google_project_iam_custom_role.secret_writer.id
  member  = google_service_account.manage.member

  condition {
    title       = "dsc-connector-secrets"
    description = "Only secrets named dsc-*"
    expression  = "resource.name.startsWith(\"${local.connector_secret_prefix}\")"
  }
}

resource "google_project_iam_member" "reads_connector_secrets" {
  for_each = local.secret_readers
  project  = var.project_id
  role     = "roles/secretmanager.secretAccessor"
  member   = each.value

  condition {
    title       = "dsc-connector-secrets"
    description = "Only secrets named dsc-*"
    expression  = "resource.name.startsWith(\"${local.connector_secret_prefix}\")"
  }
}

# The target Kafka's SASL password: a secret the operator created (docs/deploy.md), readable by the Kafka writers.
resource "google_secret_manager_secret_iam_member" "kafka_password" {
  for_each  = var.kafka_sasl_password_secret == "" ? {} : local.secret_readers
  project   = var.project_id
  secret_id = var.kafka_sasl_password_secret
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

# The deployment's S3 and Azure secrets (variables.tf): operator-made, readable by the object readers (plan lists,
# work reads), not by the mirror.
resource "google_secret_manager_secret_iam_member" "cloud_credentials" {
  for_each = {
    for pair in setproduct(keys(local.cloud_secret_env), ["plan", "work"]) :
    "${pair[0]}/${pair[1]}" => { secret = local.cloud_secret_env[pair[0]], member = local.secret_readers[pair[1]] }
  }
  project   = var.project_id
  secret_id = each.value.secret
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value.member
}

# Files the mirror mounts (keytabs, krb5.conf, key stores): operator-made secrets, readable by the mirror only.
resource "google_secret_manager_secret_iam_member" "mirror_files" {
  for_each  = toset([for f in var.mirror_secret_files : f.secret])
  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.mirror.member
}
