# Storage notifications: one Eventarc trigger per watched bucket, in the bucket's location (Cloud Storage triggers
# must be), all delivering google.cloud.storage.object.v1.finalized CloudEvents to the one dsc-notify service.
#
# Retry: Eventarc retries undelivered events with exponential backoff (10 s .. 600 s) for 24 h; retry_policy is left
# unset because its only accepted value, max_attempts = 1, turns retries off.
# Dead letter: Eventarc creates and owns each trigger's Pub/Sub subscription (transport.pubsub.subscription), so its
# dead_letter_policy cannot be declared here; cloudbuild.yaml's `notify-dead-letter` step sets it on every
# subscription listed in the notify_subscriptions output, and the IAM it needs is granted below.

data "google_storage_project_service_account" "gcs_agent" {
  project = var.project_id
}

# Cloud Storage publishes its events to Eventarc's transport topic as the GCS service agent.
resource "google_project_iam_member" "gcs_agent_publishes_events" {
  project = var.project_id
  role    = "roles/pubsub.publisher"
  member  = data.google_storage_project_service_account.gcs_agent.member
}

resource "google_project_iam_member" "events_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = google_service_account.events.member
}

resource "google_cloud_run_v2_service_iam_member" "events_invoke_notify" {
  location = var.region
  name     = google_cloudfunctions2_function.notify.name
  role     = "roles/run.invoker"
  member   = google_service_account.events.member
}

resource "google_eventarc_trigger" "notify" {
  for_each = var.watched_buckets

  # Trigger ids allow lowercase letters, digits and hyphens only; bucket names may hold dots and underscores.
  name     = "dsc-notify-${substr(sha1(each.key), 0, 12)}"
  location = lower(each.value)

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.storage.object.v1.finalized"
  }

  matching_criteria {
    attribute = "bucket"
    value     = each.key
  }

  destination {
    cloud_run_service {
      service = google_cloudfunctions2_function.notify.name
      region  = var.region
    }
  }

  service_account = google_service_account.events.email
  labels = {
    app = "dsc"
  }

  depends_on = [
    google_project_iam_member.gcs_agent_publishes_events,
    google_project_iam_member.events_receiver,
    google_cloud_run_v2_service_iam_member.events_invoke_notify,
  ]
}

# transport is computed: one() over the flattened list rather than transport[0], so a plan with mock providers (which
# leave nested computed blocks empty) still plans (infra/tests/notifications.tftest.hcl).
resource "google_pubsub_subscription_iam_member" "agent_acks_notify" {
  for_each     = google_eventarc_trigger.notify
  subscription = one(flatten([for t in each.value.transport : t.pubsub[*].subscription]))
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
