# The deployment's S3 and Azure credentials: Secret Manager secrets mounted as AWS_*/AZURE_CLIENT_SECRET on the planner
# and the workers only, each readable by those two accounts only; plain ids as env; half an AWS key pair refused.
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
  project_id                   = "my-project"
  manage_invokers              = ["group:dsc-operators@example.com"]
  kafka_brokers                = "broker-1.example.com:9092"
  kafka_sasl_password_secret   = "kafka-sasl-password"
  aws_access_key_id_secret     = "aws-access-key-id"
  aws_secret_access_key_secret = "aws-secret-access-key"
  aws_region                   = "eu-west-1"
  azure_tenant_id              = "00000000-0000-0000-0000-000000000001"
  azure_client_id              = "00000000-0000-0000-0000-000000000002"
  azure_client_secret_secret   = "azure-client-secret"
}

run "cloud_credentials" {
  command = plan

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
    aws_secret_access_key_secret = ""
  }

  expect_failures = [google_cloudfunctions2_function.plan]
}

run "azure_secret_without_its_principal" {
  command = plan

  variables {
    azure_client_id = ""
  }

  expect_failures = [google_cloudfunctions2_function.plan]
}

run "connector_prefix_refused" {
  command = plan

  variables {
    aws_access_key_id_secret = "dsc-aws"
  }

  expect_failures = [var.aws_access_key_id_secret]
}
