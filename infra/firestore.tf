# The ConnectorStore (DSC_STORE=firestore): desired state, task progress and offsets.
resource "google_firestore_database" "store" {
  project                 = var.project_id
  name                    = var.firestore_database
  location_id             = var.firestore_location != "" ? var.firestore_location : var.region
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = var.deletion_protection ? "DELETE_PROTECTION_ENABLED" : "DELETE_PROTECTION_DISABLED"
  # ABANDON keeps the data when the stack is destroyed while protected.
  deletion_policy = var.deletion_protection ? "ABANDON" : "DELETE"

  depends_on = [google_project_service.apis]
}
