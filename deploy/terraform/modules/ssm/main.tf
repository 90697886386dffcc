# The application's secrets as SSM SecureString parameters under /calndr/<environment>/, encrypted
# with the environment's key. No value is committed anywhere:
#   database_url, database_read_url, redis_url
#       built by Terraform from the endpoints and the passwords it generated (random_password in
#       the calling module; the values live only in the encrypted state and in SSM). The database
#       URLs name the service's own role (calndr_app: DML on the tables, no DDL, not the owner);
#   database_owner_url
#       the RDS master user, the owner of the schema: only the migration task gets it, and
#       `calndr migrate` creates or updates the service role from database_url's user and password;
#   jwt_secret
#       seeded with a random value once; Terraform never overwrites it afterwards, so an operator
#       can put the original service's SECRET_KEY there (tokens users hold keep working) and rotate
#       it with `aws ssm put-parameter --overwrite` (docs/operations.md, "Rotate a secret").
#   provider secrets (apple_private_key, apns_private_key, facebook_app_secret,
#   google_places_api_key, google_client_ids)
#       created with a placeholder that Terraform never overwrites; an operator puts the real
#       value (docs/operations.md, "Provider secrets") and names the parameter in provider_secrets,
#       and only then do the task definitions receive it (a placeholder never reaches the binary).
# The ECS task definition references them by ARN; ECS injects them as environment variables.

locals {
  # parameter name => environment variable of the binary
  provider_secret_variables = {
    apple_private_key     = "CALNDR_APPLE_PRIVATE_KEY"
    apns_private_key      = "CALNDR_APNS_PRIVATE_KEY"
    facebook_app_secret   = "CALNDR_FACEBOOK_APP_SECRET"
    google_places_api_key = "CALNDR_GOOGLE_PLACES_API_KEY"
    google_client_ids     = "CALNDR_GOOGLE_CLIENT_IDS"
  }
  provider_secret_descriptions = {
    apple_private_key     = "Sign in with Apple: the .p8 key's PEM (one line, newlines as \\n)"
    apns_private_key      = "APNs token auth: the .p8 key's PEM (one line, newlines as \\n)"
    facebook_app_secret   = "Facebook Login: the app secret"
    google_places_api_key = "Google Places / Maps: the API key"
    google_client_ids     = "Google Sign-In: the OAuth client ids the ID tokens are issued to, comma-separated"
  }
}

resource "aws_ssm_parameter" "database_url" {
  name        = "${var.path}/database_url"
  description = "CALNDR_DATABASE_URL: the primary PostgreSQL (managed by Terraform)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.database_url
}

resource "aws_ssm_parameter" "database_owner_url" {
  name        = "${var.path}/database_owner_url"
  description = "CALNDR_DATABASE_URL of the migration task only: the schema owner (managed by Terraform)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.database_owner_url
}

resource "aws_ssm_parameter" "database_read_url" {
  count = var.has_read_replica ? 1 : 0

  name        = "${var.path}/database_read_url"
  description = "CALNDR_DATABASE_READ_URL: the read replica (managed by Terraform)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.database_read_url
}

resource "aws_ssm_parameter" "redis_url" {
  name        = "${var.path}/redis_url"
  description = "CALNDR_REDIS_URL: ElastiCache over TLS with the AUTH token (managed by Terraform)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.redis_url
}

resource "aws_ssm_parameter" "jwt_secret" {
  name        = "${var.path}/jwt_secret"
  description = "CALNDR_JWT_SECRET: HS256 token secret (seeded randomly; set and rotated by operators)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.initial_jwt_secret

  lifecycle {
    ignore_changes = [value]
  }
}

resource "aws_ssm_parameter" "provider" {
  for_each = local.provider_secret_variables

  name        = "${var.path}/${each.key}"
  description = "${each.value}: ${local.provider_secret_descriptions[each.key]} (set by operators)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = "unset"

  lifecycle {
    ignore_changes = [value]
  }
}
