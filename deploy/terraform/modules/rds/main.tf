# PostgreSQL 15 on RDS: encrypted with the environment's key, automated backups (point-in-time
# recovery inside the retention window), Performance Insights, enhanced monitoring, slow-query
# logging to CloudWatch. Production: Multi-AZ, a read replica, deletion protection and a final
# snapshot. Staging: single AZ, no replica, can be destroyed.
#
# TLS: rds.force_ssl = 1, the server refuses plaintext connections; the binary connects with
# rustls and verifies the certificate against the RDS CA bundle baked into the image
# (CALNDR_DATABASE_TLS=verify-full, docs/operations.md "Database TLS").

locals {
  log_exports = ["postgresql", "upgrade"]
}

resource "aws_db_subnet_group" "this" {
  name        = var.name
  description = "Database subnets of ${var.name}"
  subnet_ids  = var.subnet_ids
}

resource "aws_db_parameter_group" "this" {
  name        = "${var.name}-postgres15"
  family      = "postgres15"
  description = "calndr ${var.name}: slow-query logging, connection limit, TLS optional"

  # Statements slower than this are logged (the slow-query log in CloudWatch).
  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.slow_query_ms)
  }

  # Schema changes are logged too (migrations leave a trace).
  parameter {
    name  = "log_statement"
    value = "ddl"
  }

  parameter {
    name  = "log_lock_waits"
    value = "1"
  }

  parameter {
    name  = "log_temp_files"
    value = "10240"
  }

  parameter {
    name  = "log_connections"
    value = "1"
  }

  parameter {
    name  = "log_disconnections"
    value = "1"
  }

  # Fixed, so that the "connections > 80 % of max" alarm has a number to compare with.
  parameter {
    name         = "max_connections"
    value        = tostring(var.max_connections)
    apply_method = "pending-reboot"
  }

  # TLS only (see the header).
  parameter {
    name         = "rds.force_ssl"
    value        = "1"
    apply_method = "pending-reboot"
  }

  lifecycle {
    create_before_destroy = true
  }
}

# RDS creates these groups on its own with "never expire" and no key; owning them sets both.
resource "aws_cloudwatch_log_group" "primary" {
  #checkov:skip=CKV_AWS_338:Retention follows the issue's log policy (7 days in production, less in staging), not one year
  for_each = toset(local.log_exports)

  name              = "/aws/rds/instance/${var.name}/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_cloudwatch_log_group" "replica" {
  #checkov:skip=CKV_AWS_338:Retention follows the issue's log policy (7 days in production, less in staging), not one year
  for_each = var.read_replica ? toset(local.log_exports) : toset([])

  name              = "/aws/rds/instance/${var.name}-replica/${each.value}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_db_instance" "primary" {
  #checkov:skip=CKV_AWS_157:Multi-AZ follows var.multi_az: on in production (envs/production), off in staging per the seed
  #checkov:skip=CKV_AWS_293:Deletion protection follows var.deletion_protection: on in production, off in staging so it can be torn down
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.database_name
  username = var.master_username
  password = var.master_password
  port     = 5432

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn

  multi_az               = var.multi_az
  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.security_group_id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  allow_major_version_upgrade         = false
  apply_immediately                   = var.apply_immediately

  backup_retention_period  = var.backup_retention_days
  backup_window            = "03:00-03:30"
  maintenance_window       = "sun:04:00-sun:05:00"
  copy_tags_to_snapshot    = true
  delete_automated_backups = false

  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = !var.final_snapshot
  final_snapshot_identifier = var.final_snapshot ? "${var.name}-final" : null

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = var.monitoring_role_arn
  enabled_cloudwatch_logs_exports       = local.log_exports

  depends_on = [aws_cloudwatch_log_group.primary]
}

resource "aws_db_instance" "replica" {
  #checkov:skip=CKV_AWS_157:A read replica is itself the second copy; the primary is Multi-AZ in production
  #checkov:skip=CKV_AWS_133:Backups are taken on the primary; a replica is rebuilt from it
  #checkov:skip=CKV_AWS_293:Deletion protection follows var.deletion_protection: on in production, off in staging so it can be torn down
  count = var.read_replica ? 1 : 0

  identifier          = "${var.name}-replica"
  replicate_source_db = aws_db_instance.primary.identifier
  instance_class      = var.replica_instance_class
  storage_type        = "gp3"
  storage_encrypted   = true
  kms_key_id          = var.kms_key_arn

  multi_az               = false
  vpc_security_group_ids = [var.security_group_id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.this.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  iam_database_authentication_enabled = true
  auto_minor_version_upgrade          = true
  apply_immediately                   = var.apply_immediately
  maintenance_window                  = "sun:05:00-sun:06:00"
  backup_retention_period             = 0
  copy_tags_to_snapshot               = true

  deletion_protection = var.deletion_protection
  skip_final_snapshot = true

  performance_insights_enabled          = true
  performance_insights_kms_key_id       = var.kms_key_arn
  performance_insights_retention_period = 7
  monitoring_interval                   = 60
  monitoring_role_arn                   = var.monitoring_role_arn
  enabled_cloudwatch_logs_exports       = local.log_exports

  depends_on = [aws_cloudwatch_log_group.replica]
}
