# The module planned (and once mock-applied) against Google's real provider schema, with mock providers
# (docs/deploy-check.md). One file, so the mock defaults and identities are written once: OpenTofu 1.10's
# mock_provider has no `source` for a shared .tfmock.hcl. Each run is one deployment: its variables on top of the
# common ones below, and assertions on the plan.
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
  kafka_brokers   = "broker-1.example.com:9092"
}

# Every default: one broker list, PLAINTEXT, no notifications, the scan scheduler on, mirror as a job.
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

# infra/terraform.tfvars.example: SASL, KMS, ingress, scan schedule, watched and scanned buckets.
run "example_tfvars" {
  command = plan

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

# Watched buckets: one Eventarc trigger each, plannable with mocks (no index into a trigger's transport).
run "notifications" {
  command = plan

  variables {
    watched_buckets = {
      "landing.eu"   = "EU"
      "landing-west" = "europe-west1"
    }
  }

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

# The deployment's S3 and Azure credentials (Secret Manager), and the pairs the module refuses half of.
run "cloud_credentials" {
  command = plan

  variables {
    kafka_sasl_password_secret   = "kafka-sasl-password"
    aws_access_key_id_secret     = "aws-access-key-id"
    aws_secret_access_key_secret = "aws-secret-access-key"
    aws_region                   = "eu-west-1"
    azure_tenant_id              = "00000000-0000-0000-0000-000000000001"
    azure_client_id              = "00000000-0000-0000-0000-000000000002"
    azure_client_secret_secret   = "azure-client-secret"
  }

  assert {
    condition = alltrue([for f in [google_cloudfunctions2_function.plan, google_cloudfunctions2_function.work] :
      toset([for s in f.service_config[0].secret_environment_variables : "${s.key}=${s.secret}@${s.version}"]) == toset([
        "KAFKA_SASL_PASSWORD=kafka-sasl-password@latest",
        "AWS_ACCESS_KEY_ID=aws-access-key-id@latest",
        "AWS_SECRET_ACCESS_KEY=aws-secret-access-key@latest",
        "AZURE_CLIENT_SECRET=azure-client-secret@latest",
    ])])
    error_message = "the planner and the workers mount the S3 and Azure secrets (latest version) next to the SASL password"
  }
  assert {
    condition = alltrue([for f in [google_cloudfunctions2_function.plan, google_cloudfunctions2_function.work] :
      f.service_config[0].environment_variables["AWS_REGION"] == "eu-west-1" &&
      f.service_config[0].environment_variables["AZURE_TENANT_ID"] == "00000000-0000-0000-0000-000000000001" &&
      f.service_config[0].environment_variables["AZURE_CLIENT_ID"] == "00000000-0000-0000-0000-000000000002" &&
    !contains(keys(f.service_config[0].environment_variables), "AWS_SECRET_ACCESS_KEY")])
    error_message = "region, tenant and client id are plain env; no secret is a plain variable"
  }
  assert {
    condition     = length(google_cloudfunctions2_function.manage.service_config[0].secret_environment_variables) == 0 && length(google_cloudfunctions2_function.notify.service_config[0].secret_environment_variables) == 0
    error_message = "manage and notify read no object: no cloud secret"
  }
  assert {
    condition     = length(google_secret_manager_secret_iam_member.cloud_credentials) == 6
    error_message = "three secrets, each readable by plan and work"
  }
  assert {
    condition = alltrue([for k, m in google_secret_manager_secret_iam_member.cloud_credentials :
    m.role == "roles/secretmanager.secretAccessor" && contains(["serviceAccount:dsc-plan@my-project.iam.gserviceaccount.com", "serviceAccount:dsc-work@my-project.iam.gserviceaccount.com"], m.member)])
    error_message = "only the planner's and the workers' accounts read the cloud secrets, as accessors"
  }
  assert {
    condition     = google_secret_manager_secret_iam_member.cloud_credentials["AZURE_CLIENT_SECRET/work"].secret_id == "azure-client-secret"
    error_message = "the grant names the operator's secret"
  }
}

run "half_an_aws_key_pair" {
  command = plan

  variables {
    aws_access_key_id_secret = "aws-access-key-id"
  }

  expect_failures = [google_cloudfunctions2_function.plan]
}

run "azure_secret_without_its_principal" {
  command = plan

  variables {
    azure_tenant_id            = "00000000-0000-0000-0000-000000000001"
    azure_client_secret_secret = "azure-client-secret"
  }

  expect_failures = [google_cloudfunctions2_function.plan]
}

run "connector_prefix_refused" {
  command = plan

  variables {
    aws_access_key_id_secret     = "dsc-aws"
    aws_secret_access_key_secret = "aws-secret-access-key"
  }

  expect_failures = [var.aws_access_key_id_secret]
}

# A mocked apply (last: the only run that changes this file's state): every resource created, and the outputs
# deploy scripts read.
run "apply" {
  command = apply

  variables {
    watched_buckets = {
      "landing-west" = "europe-west1"
    }
  }

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
