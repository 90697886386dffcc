variable "name" {
  description = "Name prefix, e.g. calndr-staging."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "aws_region" {
  description = "AWS region."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov)."
  type        = string
  default     = "aws"
}

variable "ssm_path" {
  description = "SSM path of the application's parameters, e.g. /calndr/staging."
  type        = string

  validation {
    condition     = startswith(var.ssm_path, "/") && !endswith(var.ssm_path, "/")
    error_message = "ssm_path starts with / and does not end with one."
  }
}

variable "kms_key_arn" {
  description = "The environment's key (SSM SecureStrings, assets bucket, ECR)."
  type        = string
}

variable "ecr_repository_arn" {
  description = "The repository the tasks pull from."
  type        = string
}

variable "log_group_arns" {
  description = "Log groups the tasks write to."
  type        = list(string)
}

variable "assets_bucket_arn" {
  description = "The assets bucket."
  type        = string
}

variable "ses_identity" {
  description = "SES identity (domain or address) the application sends mail from."
  type        = string
}

variable "sns_platform_application_arn" {
  description = "SNS platform application (APNs) whose endpoints the application creates and publishes to; empty: no SNS push."
  type        = string
  default     = ""

  validation {
    condition     = var.sns_platform_application_arn == "" || can(regex("^arn:[a-z-]+:sns:[a-z0-9-]+:[0-9]{12}:app/(APNS|APNS_SANDBOX)/[A-Za-z0-9_.-]+$", var.sns_platform_application_arn))
    error_message = "sns_platform_application_arn is the ARN of an APNS or APNS_SANDBOX platform application."
  }
}
