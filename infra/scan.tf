# Scheduled scans (streaming file connectors): where no storage notification arrives — a bucket not in
# watched_buckets, a prefix in another project — Cloud Scheduler publishes a ScanRequest ({"scan":"due"}) to the plan
# topic every scan_schedule. The plan function answers it with one scan PlanMessage per RUNNING streaming connector
# whose last scan is older than its file.scan.interval.ms, and each scan (its own plan invocation, with the
# connector's credentials) lists the URIs and claims only what was never loaded, by the same (object, generation)
# task id as a notification: an object seen by both loads once. A connector on a notified bucket chooses notifications
# only with file.scan.interval.ms=0.
#
# Delivery, retry and dead-lettering are the plan topic's (pubsub.tf). Cloud Scheduler publishes as its own service
# agent, which may publish to topics of its project without a grant; the topic must be in this project.

variable "scan_schedule" {
  description = "Cron (UTC) of the scheduled scan of streaming file connectors; \"\" creates no scheduler job (notifications only)."
  type        = string
  default     = "*/5 * * * *"
}

resource "google_cloud_scheduler_job" "scan" {
  count       = var.scan_schedule == "" ? 0 : 1
  name        = "dsc-scan"
  region      = var.region
  description = "Asks the dsc planner to scan every streaming file connector that is due (file.scan.interval.ms)."
  schedule    = var.scan_schedule
  time_zone   = "Etc/UTC"

  retry_config {
    retry_count = 3
  }

  pubsub_target {
    topic_name = google_pubsub_topic.plan.id
    # A ScanRequest (shared/file/scan-schedule.ts), as JSON like every message on the plan topic.
    data = base64encode("{\"scan\":\"due\"}")
  }

  depends_on = [google_project_service.apis]
}

# The planner answers a tick with one scan PlanMessage per due connector, published on its own topic.
resource "google_pubsub_topic_iam_member" "plan_publishes_scans" {
  count  = var.scan_schedule == "" ? 0 : 1
  topic  = google_pubsub_topic.plan.id
  role   = "roles/pubsub.publisher"
  member = google_service_account.plan.member
}
