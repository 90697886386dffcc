# The application's secrets as SSM SecureString parameters under /calndr/<environment>/, encrypted
# with the environment's key. No value is committed anywhere:
#   database_url, database_read_url, redis_url
#       built by Terraform from the endpoints and the passwords it generated (random_password in
#       the calling module; the values live only in the encrypted state and in SSM).
#   jwt_secret
#       seeded with a random value once; Terraform never overwrites it afterwards, so an operator
#       can put the original service's SECRET_KEY there (tokens users hold keep working) and rotate
#       it with `aws ssm put-parameter --overwrite` (docs/operations.md, "Rotate a secret").
# The ECS task definition references them by ARN; ECS injects them as environment variables.

resource "aws_ssm_parameter" "database_url" {
  name        = "${var.path}/database_url"
  description = "CALNDR_DATABASE_URL: the primary PostgreSQL (managed by Terraform)"
  type        = "SecureString"
  key_id      = var.kms_key_arn
  value       = var.database_url
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
