# One customer-managed key per environment. It encrypts the log groups, the SNS alarm topic, the
# SSM parameters, the assets bucket, ECR, RDS storage and Performance Insights, ElastiCache and
# the ECS Exec session logs. Services that act for an IAM principal (RDS, ElastiCache, ECR, SSM,
# S3) use it through that principal's IAM permissions (the account statement below); CloudWatch
# Logs and CloudWatch alarms (publishing to the encrypted topic) need their own statements.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}

resource "aws_kms_key" "this" {
  description             = "${var.name}: logs, SNS, SSM, S3, ECR, RDS, ElastiCache"
  enable_key_rotation     = true
  deletion_window_in_days = var.deletion_window_in_days

  # Inline JSON on purpose: IAM-style linters read aws_iam_policy_document data sources as identity
  # policies and misjudge key policies, where "Resource": "*" means "this key".
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministersTheKeyThroughIAM"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncryptsThisAccountsLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.aws_region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${var.aws_region}:${local.account_id}:log-group:*"
          }
        }
      },
      {
        Sid       = "CloudWatchAlarmsPublishToTheEncryptedTopic"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = {
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.this.key_id
}
