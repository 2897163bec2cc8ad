# Fan-out: manage/notify publish PlanMessages to dsc-plan, the planner publishes TaskMessages to dsc-tasks.
#
# Delivery design: plan and work are NOT deployed with an event_trigger. An event_trigger makes Eventarc create and
# own the Pub/Sub subscription, and Terraform cannot put a dead_letter_policy on a subscription it does not own.
# Instead each topic has a push subscription declared here (Google's "direct Pub/Sub trigger"): Pub/Sub pushes to
# the function's Cloud Run URL with an OIDC token of the dsc-pubsub-push service account, retries with exponential
# backoff, and after max_delivery_attempts forwards the message to dsc-dead-letter. The functions framework turns the
# raw push body into the same google.cloud.pubsub.topic.v1.messagePublished CloudEvent an Eventarc trigger delivers.

locals {
  # Pub/Sub's service agent forwards dead letters and mints the push OIDC tokens.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "plan" {
  name         = "dsc-plan"
  kms_key_name = var.kms_key_name # security-options.tf: null = Google-managed
  depends_on   = [google_project_service.apis, google_kms_crypto_key_iam_member.cmek]
}

resource "google_pubsub_topic" "tasks" {
  name         = "dsc-tasks"
  kms_key_name = var.kms_key_name # security-options.tf: null = Google-managed
  depends_on   = [google_project_service.apis, google_kms_crypto_key_iam_member.cmek]
}

resource "google_pubsub_topic" "dead_letter" {
  name         = "dsc-dead-letter"
  kms_key_name = var.kms_key_name # security-options.tf: null = Google-managed
  depends_on   = [google_project_service.apis, google_kms_crypto_key_iam_member.cmek]
}

# Messages published to a topic without subscriptions are lost; this one keeps dead letters for inspection.
resource "google_pubsub_subscription" "dead_letter" {
  name                       = "dsc-dead-letter"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "plan" {
  name  = "dsc-plan-push"
  topic = google_pubsub_topic.plan.id
  # For push, the ack deadline is how long Pub/Sub waits for the HTTP response: above the function timeout.
  ack_deadline_seconds       = 600
  message_retention_duration = "604800s"

  push_config {
    # The /projects/P/topics/T path lets the functions framework name the topic in the CloudEvent's source.
    push_endpoint = "${google_cloudfunctions2_function.plan.service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.plan.name}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.plan.service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloud_run_v2_service_iam_member.push_invokes_plan]
}

resource "google_pubsub_subscription" "tasks" {
  name                       = "dsc-tasks-push"
  topic                      = google_pubsub_topic.tasks.id
  ack_deadline_seconds       = 600
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = "${google_cloudfunctions2_function.work.service_config[0].uri}/projects/${var.project_id}/topics/${google_pubsub_topic.tasks.name}"

    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.work.service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloud_run_v2_service_iam_member.push_invokes_work]
}

# Dead lettering needs the Pub/Sub service agent to publish to the dead-letter topic and to subscribe
# (acknowledge) on every source subscription, including the ones Eventarc creates for the notify triggers.
resource "google_pubsub_topic_iam_member" "agent_publishes_dead_letters" {
  topic  = google_pubsub_topic.dead_letter.id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acks_plan" {
  subscription = google_pubsub_subscription.plan.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acks_tasks" {
  subscription = google_pubsub_subscription.tasks.id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# Projects created before April 2021 need this for push OIDC tokens; harmless later, and scoped to one account.
resource "google_service_account_iam_member" "agent_mints_push_tokens" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}
