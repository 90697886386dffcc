variable "name" {
  description = "Name of the cluster, service and task family, e.g. calndr-staging."
  type        = string
}

variable "aws_region" {
  description = "AWS region (for the awslogs driver)."
  type        = string
}

variable "image_repository_url" {
  description = "ECR repository URL of the calndr image."
  type        = string
}

variable "image_tag" {
  description = "Image tag to run (the git commit SHA CD pushed)."
  type        = string
}

variable "cpu" {
  description = "Fargate CPU units of an API task (256 = 0.25 vCPU)."
  type        = number
}

variable "memory" {
  description = "Fargate memory (MiB) of an API task."
  type        = number
}

variable "container_port" {
  description = "Port `calndr serve` listens on (CALNDR_LISTEN_ADDR)."
  type        = number
}

variable "desired_count" {
  description = "Tasks at creation; auto scaling owns the number afterwards."
  type        = number
}

variable "min_capacity" {
  description = "Fewest tasks auto scaling keeps."
  type        = number
}

variable "max_capacity" {
  description = "Most tasks auto scaling starts."
  type        = number
}

variable "cpu_target_percent" {
  description = "Average CPU the service scales towards."
  type        = number
  default     = 60
}

variable "memory_target_percent" {
  description = "Average memory the service scales towards."
  type        = number
  default     = 70
}

variable "fargate_spot_weight" {
  description = "0: on-demand Fargate only. N > 0: one on-demand task, then N Spot tasks per on-demand one."
  type        = number
  default     = 0
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL; actix drains for up to 25 s, so at least 30."
  type        = number
  default     = 30

  validation {
    condition     = var.stop_timeout >= 30 && var.stop_timeout <= 120
    error_message = "stop_timeout must cover the 25 s graceful shutdown (>= 30) and Fargate allows at most 120."
  }
}

variable "environment" {
  description = "Plain environment variables of the container."
  type        = map(string)
}

variable "secrets" {
  description = "Secret environment variables: name => SSM parameter ARN."
  type        = map(string)
}

variable "migrate_secrets" {
  description = "Secrets of the migration task that replace or add to var.secrets (the owner's database URL)."
  type        = map(string)
  default     = {}
}

variable "execution_role_arn" {
  description = "Task execution role."
  type        = string
}

variable "task_role_arn" {
  description = "Task role."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
}

variable "ecs_sg_id" {
  description = "Security group of the tasks."
  type        = string
}

variable "target_group_arn" {
  description = "ALB target group of the service."
  type        = string
}

variable "kms_key_arn" {
  description = "Key of the log groups and ECS Exec sessions."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of the application's log group."
  type        = number
}

variable "worker_count" {
  description = "Tasks of the `calndr worker` service (0: the API tasks work the job queue in process)."
  type        = number
  default     = 1
}

variable "worker_cpu" {
  description = "CPU units of a worker task."
  type        = number
  default     = 256
}

variable "worker_memory" {
  description = "Memory (MiB) of a worker task."
  type        = number
  default     = 512
}

variable "digest_schedule" {
  description = "EventBridge schedule of the weekly digest e-mails (UTC)."
  type        = string
  default     = "cron(0 13 ? * SUN *)"
}
