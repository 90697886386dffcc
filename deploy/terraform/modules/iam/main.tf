# Roles of the ECS tasks, least privilege:
#   execution role  what ECS itself does to start a task: pull the image, write its log streams,
#                   read the SSM parameters named in the task definition and decrypt them.
#   task role       what the running application may call: SES (send from the configured
#                   identity), SNS (publish to mobile push endpoints), S3 (the assets bucket only),
#                   SSM (read the application's own path).
# And the role RDS enhanced monitoring uses to write OS metrics.

locals {
  ssm_path_arn = "arn:${var.partition}:ssm:${var.aws_region}:${var.account_id}:parameter${var.ssm_path}"
}

# The task role's trust follows the ECS guide's confused-deputy example. The execution role's trust
# is the plain service principal, as in the ECS guide (ECS assumes it before the task exists).
data "aws_iam_policy_document" "execution_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "task_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${var.partition}:ecs:${var.aws_region}:${var.account_id}:*"]
    }
  }
}

# ---- execution role -----------------------------------------------------------------------------

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  description        = "ECS starts ${var.name} tasks: image pull, log streams, secrets"
  assume_role_policy = data.aws_iam_policy_document.execution_assume.json
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid = "EcrLogin"
    # GetAuthorizationToken has no resource-level permissions.
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullTheImage"
    actions   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    resources = [var.ecr_repository_arn]
  }

  statement {
    sid       = "WriteTheTaskLogStreams"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for arn in var.log_group_arns : "${arn}:*"]
  }

  statement {
    sid       = "ReadTheSecretsOfTheTaskDefinition"
    actions   = ["ssm:GetParameters"]
    resources = ["${local.ssm_path_arn}/*"]
  }

  statement {
    sid       = "DecryptImageLayersAndSecrets"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "start-tasks"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---- task role ----------------------------------------------------------------------------------

resource "aws_iam_role" "task" {
  name               = "${var.name}-ecs-task"
  description        = "The running ${var.name} application"
  assume_role_policy = data.aws_iam_policy_document.task_assume.json
}

data "aws_iam_policy_document" "task" {
  statement {
    sid     = "SendMailFromTheConfiguredIdentity"
    actions = ["ses:SendEmail", "ses:SendRawEmail"]
    resources = [
      "arn:${var.partition}:ses:${var.aws_region}:${var.account_id}:identity/${var.ses_identity}",
    ]
  }

  statement {
    sid       = "PublishPushNotifications"
    actions   = ["sns:Publish"]
    resources = ["arn:${var.partition}:sns:${var.aws_region}:${var.account_id}:endpoint/*"]
  }

  statement {
    sid       = "ListTheAssetsBucket"
    actions   = ["s3:ListBucket"]
    resources = [var.assets_bucket_arn]
  }

  statement {
    sid       = "UseTheAssetsBucket"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.assets_bucket_arn}/*"]
  }

  statement {
    sid       = "ReadTheApplicationsParameters"
    actions   = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"]
    resources = [local.ssm_path_arn, "${local.ssm_path_arn}/*"]
  }

  statement {
    sid       = "UseTheEnvironmentKeyForS3AndSsm"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "application"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# ---- RDS enhanced monitoring --------------------------------------------------------------------

data "aws_iam_policy_document" "rds_monitoring_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["monitoring.rds.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "rds_monitoring" {
  name               = "${var.name}-rds-monitoring"
  description        = "RDS enhanced monitoring of ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.rds_monitoring_assume.json
}

resource "aws_iam_role_policy_attachment" "rds_monitoring" {
  role       = aws_iam_role.rds_monitoring.name
  policy_arn = "arn:${var.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
}
