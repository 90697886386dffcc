variable "name" {
  description = "Name prefix, e.g. calndr-staging."
  type        = string
}

variable "account_id" {
  description = "AWS account id."
  type        = string
}

variable "aws_region" {
  description = "AWS region of the metrics."
  type        = string
}

variable "domain_name" {
  description = "Public name of the API (for alarm texts)."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm by mail)."
  type        = list(string)

  validation {
    condition     = length(var.alarm_emails) > 0 && alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Give at least one e-mail address for the alarms."
  }
}

variable "kms_key_arn" {
  description = "Key of the SNS topic."
  type        = string
}

variable "ecs_cluster_name" {
  description = "ECS cluster."
  type        = string
}

variable "ecs_service_name" {
  description = "ECS service of the API."
  type        = string
}

variable "alb_arn_suffix" {
  description = "ARN suffix of the ALB."
  type        = string
}

variable "target_group_arn_suffix" {
  description = "ARN suffix of the target group."
  type        = string
}

variable "db_instance_identifiers" {
  description = "RDS instances to watch (primary and replica)."
  type        = list(string)
}

variable "db_max_connections" {
  description = "max_connections of the parameter group."
  type        = number
}

variable "redis_node_ids" {
  description = "ElastiCache cache cluster ids (<group>-001, ...)."
  type        = list(string)
}

variable "route53_health_check_id" {
  description = "Route 53 health check of the readiness route."
  type        = string
}

variable "app_log_group_name" {
  description = "Log group of the API tasks (for the dashboard's error table)."
  type        = string
}

variable "slow_query_alarm_count" {
  description = "Slow statements (logged by PostgreSQL) per 5 minutes above which the slow-query alarm fires."
  type        = number
  default     = 20
}
