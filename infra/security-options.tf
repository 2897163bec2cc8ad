# Security options beyond the defaults, and the checkov policy scan's view of them (.ci/run runs checkov on infra/).
#
# Customer-managed encryption keys (CMEK), optional: with var.kms_key_name set, the Pub/Sub topics and the Artifact
# Registry repository are encrypted with that Cloud KMS key, and the two service agents that use it may. Unset, Google
# manages the keys (the default encryption at rest). The key must be in var.region (Artifact Registry requires the
# repository's location); create it beforehand, e.g. `gcloud kms keys create dsc --keyring=dsc --location=REGION
# --purpose=encryption`.

variable "kms_key_name" {
  description = "Cloud KMS key for CMEK on the Pub/Sub topics and the Artifact Registry repository (projects/P/locations/REGION/keyRings/R/cryptoKeys/K). Null: Google-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be a key's resource name: projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

locals {
  cmek_service_agents = var.kms_key_name == null ? {} : {
    pubsub           = local.pubsub_service_agent
    artifactregistry = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com"
  }
}

# Without this grant, creating an encrypted topic or repository fails: the service agent does the encrypting.
resource "google_kms_crypto_key_iam_member" "cmek" {
  for_each      = local.cmek_service_agents
  crypto_key_id = var.kms_key_name
  role          = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
  member        = each.value
}

variable "manage_ingress" {
  description = "Ingress of the management API function: ALLOW_ALL (the CLI calls it from operators' machines; IAM or the token guards it), or ALLOW_INTERNAL_ONLY / ALLOW_INTERNAL_AND_GCLB when operators reach it through a VPC or a load balancer."
  type        = string
  default     = "ALLOW_ALL"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.manage_ingress)
    error_message = "manage_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}
