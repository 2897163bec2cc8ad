# Environment of each component. Keys are literal so the offline checks (test/unit/infra) can compare them with
# the variables the code reads.
locals {
  store_env = {
    DSC_STORE              = "firestore"
    DSC_FIRESTORE_DATABASE = google_firestore_database.store.name
    GOOGLE_CLOUD_PROJECT   = var.project_id
    DSC_SECRETS            = "secretmanager"
  }

  dispatch_env = {
    DSC_DISPATCH   = "pubsub"
    DSC_PLAN_TOPIC = google_pubsub_topic.plan.name
    DSC_TASK_TOPIC = google_pubsub_topic.tasks.name
  }

  # Optional settings are left out when empty, so the code sees them unset rather than "".
  kafka_env_all = {
    KAFKA_BROKERS           = var.kafka_brokers
    KAFKA_SECURITY_PROTOCOL = var.kafka_security_protocol
    KAFKA_SASL_MECHANISM    = var.kafka_sasl_mechanism
    KAFKA_SASL_USERNAME     = var.kafka_sasl_username
    KAFKA_SSL_CA_PEM        = var.kafka_ssl_ca_pem
  }
  kafka_env = { for k, v in local.kafka_env_all : k => v if v != "" }

  manage_env = {
    DSC_AUTH = "iam"
  }

  work_env = {
    DSC_TASK_BUDGET_SECONDS = var.task_budget_seconds
  }

  mirror_env = {
    DSC_MIRROR_RUN_SECONDS = var.mirror_run_seconds
  }

  # The deployment's S3 and Azure identity (variables.tf), read by the SDKs' default chains; unset when empty.
  cloud_env_all = {
    AWS_REGION      = var.aws_region
    AZURE_TENANT_ID = var.azure_tenant_id
    AZURE_CLIENT_ID = var.azure_client_id
  }
  cloud_env = { for k, v in local.cloud_env_all : k => v if v != "" }

  # Secret-backed variables: name => Secret Manager secret id (version "latest").
  kafka_secret_env = var.kafka_sasl_password_secret == "" ? {} : { KAFKA_SASL_PASSWORD = var.kafka_sasl_password_secret }
  cloud_secret_env_all = {
    AWS_ACCESS_KEY_ID     = var.aws_access_key_id_secret
    AWS_SECRET_ACCESS_KEY = var.aws_secret_access_key_secret
    AZURE_CLIENT_SECRET   = var.azure_client_secret_secret
  }
  cloud_secret_env = { for k, v in local.cloud_secret_env_all : k => v if v != "" }
}
