variable "project_id" {
  description = "Google Cloud project that hosts the deployment."
  type        = string
}

variable "region" {
  description = "Region of the functions, the mirror job, Pub/Sub push endpoints and Artifact Registry."
  type        = string
  default     = "europe-west1"
}

variable "firestore_location" {
  description = "Firestore location (a region such as europe-west1, or a multi-region such as eur3). Empty: the deployment region."
  type        = string
  default     = ""
}

variable "firestore_database" {
  description = "Firestore database id the store uses (DSC_FIRESTORE_DATABASE). A named database keeps dsc apart from an existing (default) one."
  type        = string
  default     = "dsc"
}

variable "deletion_protection" {
  description = "Protect the Firestore database and the Cloud Run job/worker pool from `terraform destroy`. Set false before tearing down."
  type        = bool
  default     = true
}

variable "manage_invokers" {
  description = "Principals allowed to call the management API (roles/run.invoker), e.g. [\"user:alice@example.com\", \"group:data-eng@example.com\"]."
  type        = list(string)

  validation {
    condition     = alltrue([for m in var.manage_invokers : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "manage_invokers must name principals; allUsers/allAuthenticatedUsers would make the management API public."
  }
}

# --- target Kafka of the deployment (KAFKA_* environment) ---

variable "kafka_brokers" {
  description = "Target Kafka bootstrap servers, comma separated (KAFKA_BROKERS)."
  type        = string

  validation {
    condition     = length(trimspace(var.kafka_brokers)) > 0
    error_message = "kafka_brokers must list at least one host:port."
  }
}

variable "kafka_security_protocol" {
  description = "KAFKA_SECURITY_PROTOCOL of the target Kafka."
  type        = string
  default     = "PLAINTEXT"

  validation {
    condition     = contains(["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"], var.kafka_security_protocol)
    error_message = "kafka_security_protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL."
  }
}

variable "kafka_sasl_mechanism" {
  description = "KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512); empty when SASL is not used."
  type        = string
  default     = ""
}

variable "kafka_sasl_username" {
  description = "KAFKA_SASL_USERNAME; empty when SASL is not used."
  type        = string
  default     = ""
}

variable "kafka_sasl_password_secret" {
  description = "Secret Manager secret id holding the SASL password (KAFKA_SASL_PASSWORD is mounted from its latest version). Create it before apply; keep it outside the dsc- prefix that connectors' secrets use. Empty: no SASL password."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.kafka_sasl_password_secret, "dsc-")
    error_message = "kafka_sasl_password_secret must not start with dsc-: that prefix belongs to connector secrets, which the manage function may create and delete."
  }
}

variable "kafka_ssl_ca_pem" {
  description = "PEM of the CA that signs the target brokers' certificates (KAFKA_SSL_CA_PEM); empty to trust the system store."
  type        = string
  default     = ""
}

# --- buckets ---

variable "watched_buckets" {
  description = "Buckets whose object-finalized events start incremental loads, mapped to the bucket's location (the Eventarc trigger must be in it), e.g. { \"landing-zone\" = \"europe-west1\" }."
  type        = map(string)
  default     = {}
}

variable "data_buckets" {
  description = "Further buckets file connectors read without notifications (batch loads). Planner and workers get read access to these and to watched_buckets."
  type        = list(string)
  default     = []
}

# --- S3 and Azure Blob credentials of the deployment ---
# For s3a:// and abfss:// connectors whose config carries no keys (fs.s3a.* without access/secret keys: the AWS default
# chain; fs.azure.* with auth.type=OAuth and MsiTokenProvider: the Azure default chain). Keys written in a connector's
# config go to Secret Manager as that connector's dsc-* secrets instead. Each *_secret is a Secret Manager secret id the
# operator created (version "latest" is mounted as the variable named), outside the dsc- prefix; "" leaves it unset.

variable "aws_access_key_id_secret" {
  description = "Secret Manager secret id holding the AWS access key id (AWS_ACCESS_KEY_ID of the planner and workers). Set with aws_secret_access_key_secret, or neither."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.aws_access_key_id_secret, "dsc-")
    error_message = "aws_access_key_id_secret must not start with dsc-: that prefix belongs to connector secrets, which the manage function may create and delete."
  }
}

variable "aws_secret_access_key_secret" {
  description = "Secret Manager secret id holding the AWS secret access key (AWS_SECRET_ACCESS_KEY of the planner and workers)."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.aws_secret_access_key_secret, "dsc-")
    error_message = "aws_secret_access_key_secret must not start with dsc-: that prefix belongs to connector secrets, which the manage function may create and delete."
  }
}

variable "aws_region" {
  description = "AWS_REGION of the planner and workers, for S3 connectors without fs.s3a.endpoint.region; empty: us-east-1."
  type        = string
  default     = ""
}

variable "azure_tenant_id" {
  description = "AZURE_TENANT_ID: the Microsoft Entra tenant of the service principal in azure_client_id."
  type        = string
  default     = ""
}

variable "azure_client_id" {
  description = "AZURE_CLIENT_ID: the service principal (application) the planner and workers read Azure Blob Storage as."
  type        = string
  default     = ""
}

variable "azure_client_secret_secret" {
  description = "Secret Manager secret id holding the service principal's client secret (AZURE_CLIENT_SECRET). Needs azure_tenant_id and azure_client_id."
  type        = string
  default     = ""

  validation {
    condition     = !startswith(var.azure_client_secret_secret, "dsc-")
    error_message = "azure_client_secret_secret must not start with dsc-: that prefix belongs to connector secrets, which the manage function may create and delete."
  }
}

# --- function source ---

variable "function_source_dir" {
  description = "Folder holding dist/, package.json and package-lock.json (staged by cloudbuild.yaml or `npm run build` + copy, see docs/deploy.md). Empty: infra/.build/function-source."
  type        = string
  default     = ""
}

# --- sizes ---

variable "manage_max_instances" {
  type    = number
  default = 5
}

variable "plan_max_instances" {
  type    = number
  default = 10
}

variable "work_max_instances" {
  description = "Upper bound of concurrent task workers across all connectors (each connector's tasks.max is enforced by the planner)."
  type        = number
  default     = 50
}

variable "notify_max_instances" {
  type    = number
  default = 10
}

variable "function_memory" {
  description = "Memory of the manage, plan and notify functions."
  type        = string
  default     = "512Mi"
}

variable "work_memory" {
  description = "Memory of a task worker (bounded by the batch size, not by file size: readers stream)."
  type        = string
  default     = "1Gi"
}

variable "work_cpu" {
  type    = string
  default = "1"
}

variable "plan_timeout_seconds" {
  type    = number
  default = 300
}

variable "work_timeout_seconds" {
  description = "Task worker timeout. Must exceed task_budget_seconds so a task checkpoints its offsets before the platform stops it."
  type        = number
  default     = 540
}

variable "task_budget_seconds" {
  description = "DSC_TASK_BUDGET_SECONDS: the time a task works before it checkpoints and hands over to a new invocation."
  type        = number
  default     = 480
}

variable "max_delivery_attempts" {
  description = "Deliveries of a plan/task/notify message before it goes to the dead-letter topic (Pub/Sub allows 5 to 100)."
  type        = number
  default     = 10

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub limits)."
  }
}

# --- mirror container ---

variable "mirror_mode" {
  description = "How the mirror container runs: \"job\" (Cloud Run job restarted by Cloud Scheduler) or \"worker_pool\" (Cloud Run worker pool, always on)."
  type        = string
  default     = "job"

  validation {
    condition     = contains(["job", "worker_pool"], var.mirror_mode)
    error_message = "mirror_mode must be job or worker_pool."
  }
}

variable "mirror_image_tag" {
  description = "Tag of the mirror image in the dsc Artifact Registry repository (cloudbuild.yaml passes $SHORT_SHA)."
  type        = string
  default     = "latest"
}

variable "mirror_schedule_minutes" {
  description = "Cloud Scheduler starts a mirror execution every this many minutes (job mode)."
  type        = number
  default     = 10
}

variable "mirror_task_timeout_seconds" {
  description = "Cloud Run job task timeout (job mode); at least the schedule period so one execution covers it."
  type        = number
  default     = 600
}

variable "mirror_run_seconds" {
  description = "DSC_MIRROR_RUN_SECONDS: how long one execution mirrors before committing offsets and exiting; a bit below the task timeout."
  type        = number
  default     = 540
}

variable "mirror_max_retries" {
  description = "Retries of a failed mirror task within one execution (job mode)."
  type        = number
  default     = 3
}

variable "mirror_instances" {
  description = "Instances of the worker pool (worker_pool mode)."
  type        = number
  default     = 1
}

variable "mirror_cpu" {
  type    = string
  default = "1"
}

variable "mirror_memory" {
  type    = string
  default = "1Gi"
}

variable "mirror_secret_files" {
  description = "Files the mirror reads by path (Kerberos keytabs, krb5.conf, JKS/PKCS12 stores): each is a Secret Manager secret (latest version) mounted read-only at path, one directory per file; the connector config names that path. Create the secrets before apply, outside the dsc- prefix."
  type = list(object({
    secret = string
    path   = string
  }))
  default = []

  validation {
    condition     = alltrue([for f in var.mirror_secret_files : startswith(f.path, "/") && !startswith(f.secret, "dsc-")])
    error_message = "mirror_secret_files: each path must be absolute and each secret outside the dsc- prefix (connector secrets)."
  }
  validation {
    condition     = length(distinct([for f in var.mirror_secret_files : dirname(f.path)])) == length(var.mirror_secret_files)
    error_message = "mirror_secret_files: Cloud Run mounts each secret as its own directory; give every file a directory of its own."
  }
}
