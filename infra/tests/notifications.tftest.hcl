# Watched buckets: one Eventarc trigger each, in the bucket location, delivering to dsc-notify as dsc-events.
# Mock defaults realistic enough for the module's own references: member/email strings shaped like Google's.
mock_provider "google" {
  mock_resource "google_service_account" {
    defaults = {
      name   = "projects/my-project/serviceAccounts/dsc-mock@my-project.iam.gserviceaccount.com"
      email  = "dsc-mock@my-project.iam.gserviceaccount.com"
      member = "serviceAccount:dsc-mock@my-project.iam.gserviceaccount.com"
    }
  }
  mock_data "google_storage_project_service_account" {
    defaults = {
      email_address = "service-123456789@gs-project-accounts.iam.gserviceaccount.com"
      member        = "serviceAccount:service-123456789@gs-project-accounts.iam.gserviceaccount.com"
    }
  }
  mock_data "google_project" {
    defaults = {
      number = "123456789"
    }
  }
}

# Distinct identities for the accounts the assertions tell apart.
override_resource {
  target = google_service_account.plan
  values = {
    email  = "dsc-plan@my-project.iam.gserviceaccount.com"
    member = "serviceAccount:dsc-plan@my-project.iam.gserviceaccount.com"
  }
}
override_resource {
  target = google_service_account.work
  values = {
    email  = "dsc-work@my-project.iam.gserviceaccount.com"
    member = "serviceAccount:dsc-work@my-project.iam.gserviceaccount.com"
  }
}
override_resource {
  target = google_service_account.mirror
  values = {
    email  = "dsc-mirror@my-project.iam.gserviceaccount.com"
    member = "serviceAccount:dsc-mirror@my-project.iam.gserviceaccount.com"
  }
}
override_resource {
  target = google_service_account.events
  values = {
    email  = "dsc-events@my-project.iam.gserviceaccount.com"
    member = "serviceAccount:dsc-events@my-project.iam.gserviceaccount.com"
  }
}

variables {
  project_id      = "my-project"
  manage_invokers = ["group:dsc-operators@example.com"]
  kafka_brokers = "broker-1.example.com:9092"
  watched_buckets = {
    "landing.eu"   = "EU"
    "landing-west" = "europe-west1"
  }
}

run "notifications" {
  command = plan

  assert {
    condition     = length(google_eventarc_trigger.notify) == 2 && length(google_pubsub_subscription_iam_member.agent_acks_notify) == 2
    error_message = "one trigger, and one ack grant on its subscription, per watched bucket"
  }
  assert {
    condition     = google_eventarc_trigger.notify["landing.eu"].location == "eu" && google_eventarc_trigger.notify["landing.eu"].name == "dsc-notify-${substr(sha1("landing.eu"), 0, 12)}"
    error_message = "trigger in the bucket's location, named from a hash of the bucket (dots are not allowed in ids)"
  }
  assert {
    condition = anytrue([for m in google_eventarc_trigger.notify["landing-west"].matching_criteria :
    m.attribute == "bucket" && m.value == "landing-west"])
    error_message = "the trigger matches its bucket"
  }
  assert {
    condition     = google_eventarc_trigger.notify["landing-west"].service_account == "dsc-events@my-project.iam.gserviceaccount.com" && google_eventarc_trigger.notify["landing-west"].destination[0].cloud_run_service[0].service == "dsc-notify"
    error_message = "events delivered to dsc-notify as dsc-events"
  }
  assert {
    condition     = google_project_iam_member.gcs_agent_publishes_events.member == "serviceAccount:service-123456789@gs-project-accounts.iam.gserviceaccount.com"
    error_message = "the Cloud Storage agent publishes events"
  }
  assert {
    condition     = google_pubsub_subscription_iam_member.agent_acks_notify["landing.eu"].member == "serviceAccount:service-123456789@gcp-sa-pubsub.iam.gserviceaccount.com"
    error_message = "the Pub/Sub agent acks dead letters on the trigger's subscription"
  }
  assert {
    condition     = google_cloud_run_v2_service_iam_member.events_invoke_notify.member == "serviceAccount:dsc-events@my-project.iam.gserviceaccount.com"
    error_message = "dsc-events may invoke notify"
  }
}
