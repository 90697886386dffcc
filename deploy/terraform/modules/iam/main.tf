# Roles of the ECS tasks, least privilege:
#   execution role  what ECS itself does to start a task: pull the image, write its log streams,
#                   read the SSM parameters named in the task definition and decrypt them.
#   task role       what the running application calls, exactly (see "task role" below): SES (send
#                   from the configured identity), SNS (SMS to phone numbers; push endpoints of the
#                   configured platform application), S3 (the assets bucket only).
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

# Exactly the AWS calls the adapters of crates/adapters/aws make, nothing wider; deploy-check
# (deploy/check-deploy.py, "iam") lists every SDK operation in those sources and fails when one is
# missing here or when this policy allows an action no adapter calls.
#   ses.rs       sesv2 SendEmail                     ses:SendEmail on the sender identity
#   sns.rs       sns Publish to a phone number       sns:Publish, on no ARN (phone numbers have none)
#   sns_push.rs  sns CreatePlatformEndpoint, Publish  on the one platform application and its
#                                                    endpoints (only when one is configured)
#   s3.rs        s3 PutObject, GetObject             the assets bucket; ListBucket so that a
#                                                    missing key answers 404, not 403; the key for
#                                                    SSE-KMS objects, through S3 only
locals {
  sns_endpoints_arn = var.sns_platform_application_arn == "" ? "" : "${replace(var.sns_platform_application_arn, ":app/", ":endpoint/")}/*"
}

data "aws_iam_policy_document" "task" {
  statement {
    sid     = "SendMailFromTheConfiguredIdentity"
    actions = ["ses:SendEmail"]
    resources = [
      "arn:${var.partition}:ses:${var.aws_region}:${var.account_id}:identity/${var.ses_identity}",
    ]
  }

  # Publishing to a phone number has no resource ARN: "any resource that is not an SNS ARN" allows
  # SMS to phone numbers and no topic, application or endpoint.
  statement {
    sid           = "PublishSmsToPhoneNumbers"
    actions       = ["sns:Publish"]
    not_resources = ["arn:${var.partition}:sns:*:*:*"]
  }

  dynamic "statement" {
    for_each = var.sns_platform_application_arn == "" ? [] : [1]
    content {
      sid       = "RegisterDeviceTokensWithThePlatformApplication"
      actions   = ["sns:CreatePlatformEndpoint"]
      resources = [var.sns_platform_application_arn]
    }
  }

  dynamic "statement" {
    for_each = var.sns_platform_application_arn == "" ? [] : [1]
    content {
      sid       = "PublishPushesToItsEndpoints"
      actions   = ["sns:Publish"]
      resources = [local.sns_endpoints_arn]
    }
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
    sid       = "UseTheEnvironmentKeyThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.aws_region}.amazonaws.com"]
    }
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
