# One service account per component; each gets only the roles its code uses (the allow-list in
# test/unit/infra/roles.ts checks every binding in this folder). Logs go to stdout, which Cloud Run collects
# without roles/logging.logWriter.

resource "google_service_account" "manage" {
  account_id   = "dsc-manage"
  display_name = "dsc management API"
}

resource "google_service_account" "plan" {
  account_id   = "dsc-plan"
  display_name = "dsc planner"
}

resource "google_service_account" "work" {
  account_id   = "dsc-work"
  display_name = "dsc task worker"
}

resource "google_service_account" "notify" {
  account_id   = "dsc-notify"
  display_name = "dsc storage notifications"
}

resource "google_service_account" "mirror" {
  account_id   = "dsc-mirror"
  display_name = "dsc mirror container"
}

resource "google_service_account" "pubsub_push" {
  account_id   = "dsc-pubsub-push"
  display_name = "dsc Pub/Sub push identity (invokes plan and work)"
}

resource "google_service_account" "events" {
  account_id   = "dsc-events"
  display_name = "dsc Eventarc trigger identity (invokes notify)"
}

resource "google_service_account" "scheduler" {
  account_id   = "dsc-scheduler"
  display_name = "dsc Cloud Scheduler identity (runs the mirror job)"
}

locals {
  # Components that read and write the ConnectorStore.
  store_users = {
    manage = google_service_account.manage.member
    plan   = google_service_account.plan.member
    work   = google_service_account.work.member
    notify = google_service_account.notify.member
    mirror = google_service_account.mirror.member
  }

  # Components that read connector files.
  bucket_readers = {
    plan = google_service_account.plan.member
    work = google_service_account.work.member
  }
  read_buckets = toset(concat(keys(var.watched_buckets), var.data_buckets))
  bucket_grants = {
    for pair in setproduct(keys(local.bucket_readers), local.read_buckets) : "${pair[0]}/${pair[1]}" => {
      member = local.bucket_readers[pair[0]]
      bucket = pair[1]
    }
  }
}

# Firestore has no per-database IAM binding; datastore.user is the narrowest role that reads and writes documents.
resource "google_project_iam_member" "store_user" {
  for_each = local.store_users
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = each.value
}

resource "google_storage_bucket_iam_member" "reads_bucket" {
  for_each = local.bucket_grants
  bucket   = each.value.bucket
  role     = "roles/storage.objectViewer"
  member   = each.value.member
}

# Publishing, topic by topic: manage and notify request plans; the planner fans out tasks, and a worker out of time
# budget re-publishes its own task to continue.
resource "google_pubsub_topic_iam_member" "manage_publishes_plan" {
  topic  = google_pubsub_topic.plan.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.manage.member
}

resource "google_pubsub_topic_iam_member" "notify_publishes_plan" {
  topic  = google_pubsub_topic.plan.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.notify.member
}

resource "google_pubsub_topic_iam_member" "plan_publishes_tasks" {
  topic  = google_pubsub_topic.tasks.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.plan.member
}

resource "google_pubsub_topic_iam_member" "work_publishes_tasks" {
  topic  = google_pubsub_topic.tasks.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.work.member
}
