# The four Cloud Functions (2nd gen). All share one source archive: the compiled dist/ with package.json (main:
# dist/functions/index.js registers manage, plan, work and notify with the functions framework).

locals {
  function_source_dir = var.function_source_dir != "" ? var.function_source_dir : "${path.module}/.build/function-source"

  # dist/ is already compiled: skip the buildpack's `npm run build` (the archive has no TypeScript sources) and install
  # production dependencies only.
  function_build_env = {
    GOOGLE_NODE_RUN_SCRIPTS = ""
    NODE_ENV                = "production"
  }
}

resource "google_storage_bucket" "function_source" {
  name                        = "${var.project_id}-dsc-function-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  # checkov:skip=CKV_GCP_62:Holds only the function source archive Terraform uploads; Cloud Build reads it at deploy time under the deployer's identity, which Cloud Audit Logs record. A usage-log bucket would itself need this exception.

  # A deleted or replaced archive stays recoverable for a week.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

data "archive_file" "function_source" {
  type        = "zip"
  source_dir  = local.function_source_dir
  output_path = "${path.module}/.build/function-source.zip"
}

# Content-addressed name: a changed build uploads a new object and redeploys the functions; an unchanged one does not.
resource "google_storage_bucket_object" "function_source" {
  name   = "function-source/${data.archive_file.function_source.output_md5}.zip"
  bucket = google_storage_bucket.function_source.name
  source = data.archive_file.function_source.output_path
}

resource "google_cloudfunctions2_function" "manage" {
  # checkov:skip=CKV_GCP_124:The dsc CLI calls this API from operators' machines, so ALLOW_ALL is the default; every call needs IAM roles/run.invoker (var.manage_invokers, never allUsers) or the bearer token. var.manage_ingress restricts it.
  name        = "dsc-manage"
  location    = var.region
  description = "dsc management API (connector lifecycle)"

  build_config {
    runtime               = "nodejs22"
    entry_point           = "manage"
    environment_variables = local.function_build_env

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    max_instance_count = var.manage_max_instances
    available_memory   = var.function_memory
    timeout_seconds    = 60
    # Reachable from the internet by default, but only principals in var.manage_invokers may invoke it (no allUsers
    # binding); var.manage_ingress restricts it to internal traffic where operators come through a VPC.
    ingress_settings               = var.manage_ingress
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.manage.email
    environment_variables          = merge(local.store_env, local.dispatch_env, local.manage_env)
  }

  depends_on = [google_project_service.apis]
}

resource "google_cloudfunctions2_function" "plan" {
  name        = "dsc-plan"
  location    = var.region
  description = "dsc planner: a connector's files -> at most tasks.max TaskMessages"

  build_config {
    runtime               = "nodejs22"
    entry_point           = "plan"
    environment_variables = local.function_build_env

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    max_instance_count             = var.plan_max_instances
    available_memory               = var.function_memory
    timeout_seconds                = var.plan_timeout_seconds
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.plan.email
    environment_variables          = merge(local.store_env, local.dispatch_env, local.kafka_env, local.cloud_env)

    dynamic "secret_environment_variables" {
      for_each = merge(local.kafka_secret_env, local.cloud_secret_env)
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = (var.aws_access_key_id_secret == "") == (var.aws_secret_access_key_secret == "")
      error_message = "aws_access_key_id_secret and aws_secret_access_key_secret go together: set both, or neither (the AWS default chain of the runtime)."
    }
    precondition {
      condition     = var.azure_client_secret_secret == "" || (var.azure_client_id != "" && var.azure_tenant_id != "")
      error_message = "azure_client_secret_secret needs azure_client_id and azure_tenant_id (the service principal it is the secret of)."
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.kafka_password,
    google_secret_manager_secret_iam_member.cloud_credentials,
  ]
}

resource "google_cloudfunctions2_function" "work" {
  name        = "dsc-work"
  location    = var.region
  description = "dsc task worker: one task until done or out of its time budget"

  build_config {
    runtime               = "nodejs22"
    entry_point           = "work"
    environment_variables = local.function_build_env

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    max_instance_count = var.work_max_instances
    available_memory   = var.work_memory
    available_cpu      = var.work_cpu
    timeout_seconds    = var.work_timeout_seconds
    # One task per instance: a task streams a file at full speed and owns its time budget.
    max_instance_request_concurrency = 1
    ingress_settings                 = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.work.email
    environment_variables            = merge(local.store_env, local.dispatch_env, local.kafka_env, local.work_env, local.cloud_env)

    dynamic "secret_environment_variables" {
      for_each = merge(local.kafka_secret_env, local.cloud_secret_env)
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.work_timeout_seconds >= var.task_budget_seconds + 30
      error_message = "work_timeout_seconds must exceed task_budget_seconds by at least 30 s, or tasks are killed before they checkpoint."
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.kafka_password,
    google_secret_manager_secret_iam_member.cloud_credentials,
  ]
}

resource "google_cloudfunctions2_function" "notify" {
  name        = "dsc-notify"
  location    = var.region
  description = "dsc storage notification: object finalized -> incremental plan"

  build_config {
    runtime               = "nodejs22"
    entry_point           = "notify"
    environment_variables = local.function_build_env

    source {
      storage_source {
        bucket = google_storage_bucket.function_source.name
        object = google_storage_bucket_object.function_source.name
      }
    }
  }

  service_config {
    max_instance_count             = var.notify_max_instances
    available_memory               = var.function_memory
    timeout_seconds                = 60
    ingress_settings               = "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.notify.email
    environment_variables          = merge(local.store_env, local.dispatch_env)
  }

  depends_on = [google_project_service.apis]
}

# A 2nd-gen function is a Cloud Run service of the same name; invocation is roles/run.invoker on that service.
resource "google_cloud_run_v2_service_iam_member" "manage_invokers" {
  for_each = toset(var.manage_invokers)
  location = var.region
  name     = google_cloudfunctions2_function.manage.name
  role     = "roles/run.invoker"
  member   = each.value
}

resource "google_cloud_run_v2_service_iam_member" "push_invokes_plan" {
  location = var.region
  name     = google_cloudfunctions2_function.plan.name
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}

resource "google_cloud_run_v2_service_iam_member" "push_invokes_work" {
  location = var.region
  name     = google_cloudfunctions2_function.work.name
  role     = "roles/run.invoker"
  member   = google_service_account.pubsub_push.member
}
