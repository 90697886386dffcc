variable "name" {
  description = "Name prefix, e.g. calndr-staging (bucket names add the account id)."
  type        = string
}

variable "account_id" {
  description = "AWS account id (makes the bucket names unique)."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts the assets bucket."
  type        = string
}

variable "log_bucket_retention_days" {
  description = "Days to keep ALB and S3 access logs."
  type        = number
  default     = 90
}

variable "assets_noncurrent_version_days" {
  description = "Days to keep overwritten or deleted asset versions."
  type        = number
  default     = 90
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete non-empty buckets (staging only)."
  type        = bool
  default     = false
}
