# A mocked apply of the defaults: every resource created, and the outputs deploy scripts read.
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
    "landing-west" = "europe-west1"
  }
}

run "apply" {
  command = apply

  assert {
    condition     = output.plan_topic == google_pubsub_topic.plan.name && output.task_topic == google_pubsub_topic.tasks.name
    error_message = "topic outputs"
  }
  assert {
    condition     = output.mirror_job == google_cloud_run_v2_job.mirror[0].name && output.mirror_job != null
    error_message = "the mirror job output names the created job"
  }
  assert {
    condition     = output.max_delivery_attempts == 10 && output.firestore_database == google_firestore_database.store.name
    error_message = "delivery attempts and database outputs"
  }
  assert {
    condition     = output.manage_url == google_cloudfunctions2_function.manage.service_config[0].uri
    error_message = "manage_url is the function's URI"
  }
  assert {
    condition     = length(output.notify_subscriptions) <= 1
    error_message = "at most one subscription per trigger"
  }
  assert {
    condition     = google_storage_bucket_object.function_source.name == "function-source/${data.archive_file.function_source.output_md5}.zip"
    error_message = "the source object is named by the archive's content hash"
  }
}
