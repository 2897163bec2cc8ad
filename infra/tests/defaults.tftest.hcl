# The module with every default: one broker list, PLAINTEXT, no notifications, the scan scheduler on, mirror as a job.
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
}

run "defaults" {
  command = plan

  assert {
    condition     = length(google_project_service.apis) == 12
    error_message = "expected the 12 APIs of apis.tf"
  }
  assert {
    condition     = length(google_eventarc_trigger.notify) == 0 && length(google_pubsub_subscription_iam_member.agent_acks_notify) == 0
    error_message = "no watched bucket: no Eventarc trigger"
  }
  assert {
    condition     = length(google_cloud_scheduler_job.scan) == 1 && google_cloud_scheduler_job.scan[0].schedule == "*/5 * * * *"
    error_message = "the scan scheduler runs every 5 minutes by default"
  }
  assert {
    condition     = length(google_cloud_run_v2_job.mirror) == 1 && length(google_cloud_run_v2_worker_pool.mirror) == 0
    error_message = "mirror_mode defaults to a Cloud Run job"
  }
  assert {
    condition     = google_cloudfunctions2_function.plan.service_config[0].environment_variables["KAFKA_BROKERS"] == "broker-1.example.com:9092"
    error_message = "the planner gets KAFKA_BROKERS"
  }
  assert {
    condition     = google_cloudfunctions2_function.work.service_config[0].environment_variables["KAFKA_SECURITY_PROTOCOL"] == "PLAINTEXT"
    error_message = "PLAINTEXT by default"
  }
  assert {
    condition     = !contains(keys(google_cloudfunctions2_function.work.service_config[0].environment_variables), "KAFKA_SASL_MECHANISM")
    error_message = "empty optional settings stay unset, not \"\""
  }
  assert {
    condition     = google_cloudfunctions2_function.work.service_config[0].environment_variables["DSC_TASK_BUDGET_SECONDS"] == "480"
    error_message = "the worker's task budget"
  }
  assert {
    condition     = length(google_cloudfunctions2_function.work.service_config[0].secret_environment_variables) == 0 && length(google_secret_manager_secret_iam_member.kafka_password) == 0
    error_message = "no SASL password secret by default"
  }
  assert {
    condition     = google_cloudfunctions2_function.manage.service_config[0].ingress_settings == "ALLOW_ALL" && google_cloudfunctions2_function.work.service_config[0].ingress_settings == "ALLOW_INTERNAL_ONLY"
    error_message = "ingress: manage reachable by the CLI, the workers internal only"
  }
  assert {
    condition     = google_cloudfunctions2_function.work.service_config[0].service_account_email == "dsc-work@my-project.iam.gserviceaccount.com"
    error_message = "the worker runs as dsc-work"
  }
  assert {
    condition     = google_project_iam_member.store_user["plan"].member == "serviceAccount:dsc-plan@my-project.iam.gserviceaccount.com" && length(google_project_iam_member.store_user) == 5
    error_message = "five store users, each its own account"
  }
  assert {
    condition     = google_project_iam_member.reads_connector_secrets["mirror"].condition[0].expression == "resource.name.startsWith(\"projects/123456789/secrets/dsc-\")"
    error_message = "connector secrets are readable under the dsc- name condition only"
  }
  assert {
    condition     = length(google_kms_crypto_key_iam_member.cmek) == 0 && google_pubsub_topic.plan.kms_key_name == null
    error_message = "no CMEK by default"
  }
}
