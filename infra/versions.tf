terraform {
  required_version = ">= 1.5.0"

  required_providers {
    # google >= 6.37 has google_cloud_run_v2_worker_pool in the GA provider (it still needs launch_stage = "BETA").
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = "~> 2.4"
    }
  }

  # Partial configuration: the bucket and prefix come from
  # `terraform init -backend-config=bucket=... -backend-config=prefix=...` (cloudbuild.yaml passes _TF_STATE_BUCKET).
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_project" "this" {
  project_id = var.project_id
}
