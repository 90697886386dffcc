variable "name" {
  description = "Name prefix, e.g. calndr-staging (the alias becomes alias/<name>)."
  type        = string
}

variable "aws_region" {
  description = "Region of the key (the CloudWatch Logs service principal is regional)."
  type        = string
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion takes effect."
  type        = number
  default     = 30
}
