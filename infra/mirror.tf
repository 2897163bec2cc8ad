# The mirror container (Dockerfile at the repository root: node:22-slim running dist/functions/mirror.js).
# mirror_mode = "job": a Cloud Run job whose execution mirrors for DSC_MIRROR_RUN_SECONDS, commits and exits; Cloud
# Scheduler starts one every mirror_schedule_minutes, which keeps replication going with bounded executions.
# mirror_mode = "worker_pool": an always-on Cloud Run worker pool (google_cloud_run_v2_worker_pool, in the GA google
# provider since 6.37, API launch stage BETA); there DSC_MIRROR_RUN_SECONDS is unset and the container runs until stopped.

locals {
  mirror_image = "${var.region}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.dsc.repository_id}/mirror:${var.mirror_image_tag}"
  # DSC_MIRROR_RUN_SECONDS only bounds job executions.
  mirror_job_env  = merge(local.store_env, local.kafka_env, local.mirror_env)
  mirror_pool_env = merge(local.store_env, local.kafka_env)
  # Keytabs, krb5.conf and key stores, by volume name.
  mirror_secret_files = { for i, f in var.mirror_secret_files : "secret-file-${i}" => f }
}

resource "google_artifact_registry_repository" "dsc" {
  location      = var.region
  repository_id = "dsc"
  format        = "DOCKER"
  description   = "dsc container images (mirror)"
  kms_key_name  = var.kms_key_name # security-options.tf: null = Google-managed

  depends_on = [google_project_service.apis, google_kms_crypto_key_iam_member.cmek]
}

resource "google_cloud_run_v2_job" "mirror" {
  count               = var.mirror_mode == "job" ? 1 : 0
  name                = "dsc-mirror"
  location            = var.region
  deletion_protection = var.deletion_protection

  template {
    task_count  = 1
    parallelism = 1

    template {
      service_account = google_service_account.mirror.email
      timeout         = "${var.mirror_task_timeout_seconds}s"
      max_retries     = var.mirror_max_retries

      dynamic "volumes" {
        for_each = local.mirror_secret_files
        content {
          name = volumes.key
          secret {
            secret = volumes.value.secret
            items {
              version = "latest"
              path    = basename(volumes.value.path)
            }
          }
        }
      }

      containers {
        image = local.mirror_image

        dynamic "volume_mounts" {
          for_each = local.mirror_secret_files
          content {
            name       = volume_mounts.key
            mount_path = dirname(volume_mounts.value.path)
          }
        }

        resources {
          limits = {
            cpu    = var.mirror_cpu
            memory = var.mirror_memory
          }
        }

        dynamic "env" {
          for_each = local.mirror_job_env
          content {
            name  = env.key
            value = env.value
          }
        }

        dynamic "env" {
          for_each = local.kafka_secret_env
          content {
            name = env.key
            value_source {
              secret_key_ref {
                secret  = env.value
                version = "latest"
              }
            }
          }
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = var.mirror_run_seconds + 30 <= var.mirror_task_timeout_seconds
      error_message = "mirror_run_seconds must stay at least 30 s below mirror_task_timeout_seconds so an execution commits offsets before it is stopped."
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.kafka_password,
    google_secret_manager_secret_iam_member.mirror_files,
  ]
}

resource "google_cloud_run_v2_job_iam_member" "scheduler_runs_mirror" {
  count    = var.mirror_mode == "job" ? 1 : 0
  location = var.region
  name     = google_cloud_run_v2_job.mirror[0].name
  role     = "roles/run.invoker"
  member   = google_service_account.scheduler.member
}

resource "google_cloud_scheduler_job" "mirror" {
  count            = var.mirror_mode == "job" ? 1 : 0
  name             = "dsc-mirror"
  region           = var.region
  description      = "Starts a dsc-mirror execution; each one mirrors for DSC_MIRROR_RUN_SECONDS."
  schedule         = "*/${var.mirror_schedule_minutes} * * * *"
  time_zone        = "Etc/UTC"
  attempt_deadline = "60s"

  retry_config {
    retry_count = 3
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.mirror[0].name}:run"

    # Google APIs take OAuth access tokens (OIDC tokens are for Cloud Run URLs).
    oauth_token {
      service_account_email = google_service_account.scheduler.email
      scope                 = "https://www.googleapis.com/auth/cloud-platform"
    }
  }

  depends_on = [google_cloud_run_v2_job_iam_member.scheduler_runs_mirror]
}

resource "google_cloud_run_v2_worker_pool" "mirror" {
  count               = var.mirror_mode == "worker_pool" ? 1 : 0
  name                = "dsc-mirror"
  location            = var.region
  launch_stage        = "BETA"
  deletion_protection = var.deletion_protection

  scaling {
    scaling_mode          = "MANUAL"
    manual_instance_count = var.mirror_instances
  }

  template {
    service_account = google_service_account.mirror.email

    dynamic "volumes" {
      for_each = local.mirror_secret_files
      content {
        name = volumes.key
        secret {
          secret = volumes.value.secret
          items {
            version = "latest"
            path    = basename(volumes.value.path)
          }
        }
      }
    }

    containers {
      image = local.mirror_image

      dynamic "volume_mounts" {
        for_each = local.mirror_secret_files
        content {
          name       = volume_mounts.key
          mount_path = dirname(volume_mounts.value.path)
        }
      }

      resources {
        limits = {
          cpu    = var.mirror_cpu
          memory = var.mirror_memory
        }
      }

      dynamic "env" {
        for_each = local.mirror_pool_env
        content {
          name  = env.key
          value = env.value
        }
      }

      dynamic "env" {
        for_each = local.kafka_secret_env
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value
              version = "latest"
            }
          }
        }
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_secret_manager_secret_iam_member.kafka_password,
    google_secret_manager_secret_iam_member.mirror_files,
  ]
}
