output "manage_url" {
  description = "Management API URL: DSC_URL for the dsc CLI."
  value       = google_cloudfunctions2_function.manage.service_config[0].uri
}

output "plan_topic" {
  value = google_pubsub_topic.plan.name
}

output "task_topic" {
  value = google_pubsub_topic.tasks.name
}

output "dead_letter_topic" {
  value = google_pubsub_topic.dead_letter.id
}

output "dead_letter_subscription" {
  description = "Pull subscription holding messages that exhausted max_delivery_attempts."
  value       = google_pubsub_subscription.dead_letter.id
}

output "notify_subscriptions" {
  description = "Pub/Sub subscriptions Eventarc created for the notify triggers (cloudbuild.yaml attaches the dead-letter policy to them)."
  value       = flatten([for t in google_eventarc_trigger.notify : [for tr in t.transport : tr.pubsub[*].subscription]])
}

output "max_delivery_attempts" {
  value = var.max_delivery_attempts
}

output "firestore_database" {
  value = google_firestore_database.store.name
}

output "mirror_image" {
  value = local.mirror_image
}

output "mirror_job" {
  value = var.mirror_mode == "job" ? google_cloud_run_v2_job.mirror[0].name : null
}

output "artifact_registry_repository" {
  value = google_artifact_registry_repository.dsc.id
}
