# infra/terraform.tfvars.example (SASL_SSL with a password secret, a watched bucket, a scanned bucket, the scan
# schedule) plus its two commented hardening options (CMEK, internal-only ingress). Keep in step with the example.
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
  region          = "europe-west1"
  manage_invokers = ["user:alice@example.com"]

  kafka_brokers              = "broker-1.example.com:9093,broker-2.example.com:9093"
  kafka_security_protocol    = "SASL_SSL"
  kafka_sasl_mechanism       = "SCRAM-SHA-512"
  kafka_sasl_username        = "dsc"
  kafka_sasl_password_secret = "kafka-sasl-password"

  scan_schedule = "*/5 * * * *"

  watched_buckets = {
    "my-landing-zone" = "europe-west1"
  }
  data_buckets = ["my-archive"]

  kms_key_name   = "projects/my-project/locations/europe-west1/keyRings/dsc/cryptoKeys/dsc"
  manage_ingress = "ALLOW_INTERNAL_ONLY"
}

run "example_tfvars" {
  command = plan

  assert {
    condition     = google_cloudfunctions2_function.work.service_config[0].environment_variables["KAFKA_SASL_MECHANISM"] == "SCRAM-SHA-512" && google_cloudfunctions2_function.work.service_config[0].environment_variables["KAFKA_SASL_USERNAME"] == "dsc"
    error_message = "SASL settings reach the worker"
  }
  assert {
    condition     = !contains(keys(google_cloudfunctions2_function.work.service_config[0].environment_variables), "KAFKA_SASL_PASSWORD")
    error_message = "the password is never a plain environment variable"
  }
  assert {
    condition = anytrue([for s in google_cloudfunctions2_function.work.service_config[0].secret_environment_variables :
    s.key == "KAFKA_SASL_PASSWORD" && s.secret == "kafka-sasl-password" && s.version == "latest"])
    error_message = "the worker reads KAFKA_SASL_PASSWORD from the secret, version latest"
  }
  assert {
    condition = anytrue([for s in google_cloudfunctions2_function.plan.service_config[0].secret_environment_variables :
    s.key == "KAFKA_SASL_PASSWORD" && s.secret == "kafka-sasl-password"])
    error_message = "the planner reads KAFKA_SASL_PASSWORD from the secret"
  }
  assert {
    condition     = length(google_secret_manager_secret_iam_member.kafka_password) == 3 && google_secret_manager_secret_iam_member.kafka_password["mirror"].member == "serviceAccount:dsc-mirror@my-project.iam.gserviceaccount.com" && google_secret_manager_secret_iam_member.kafka_password["work"].secret_id == "kafka-sasl-password"
    error_message = "plan, work and mirror may read the SASL password secret"
  }
  assert {
    condition     = length(google_kms_crypto_key_iam_member.cmek) == 2 && google_kms_crypto_key_iam_member.cmek["pubsub"].member == "serviceAccount:service-123456789@gcp-sa-pubsub.iam.gserviceaccount.com"
    error_message = "the Pub/Sub and Artifact Registry agents may use the CMEK key"
  }
  assert {
    condition     = google_pubsub_topic.tasks.kms_key_name == var.kms_key_name && google_artifact_registry_repository.dsc.kms_key_name == var.kms_key_name
    error_message = "topics and repository encrypted with the key"
  }
  assert {
    condition     = google_cloudfunctions2_function.manage.service_config[0].ingress_settings == "ALLOW_INTERNAL_ONLY"
    error_message = "manage_ingress applies to the management API"
  }
  assert {
    condition     = google_cloud_run_v2_service_iam_member.manage_invokers["user:alice@example.com"].role == "roles/run.invoker"
    error_message = "the listed operator may invoke the management API"
  }
  assert {
    condition     = length(google_storage_bucket_iam_member.reads_bucket) == 4 && google_storage_bucket_iam_member.reads_bucket["work/my-archive"].member == "serviceAccount:dsc-work@my-project.iam.gserviceaccount.com"
    error_message = "plan and work read both the watched and the scanned bucket"
  }
  assert {
    condition     = length(google_cloud_scheduler_job.scan) == 1 && length(google_eventarc_trigger.notify) == 1
    error_message = "one scan scheduler and one notification trigger"
  }
}
