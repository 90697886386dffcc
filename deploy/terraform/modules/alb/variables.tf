variable "name" {
  description = "Name of the ALB and its target group, e.g. calndr-staging (32 characters at most)."
  type        = string

  validation {
    condition     = length(var.name) <= 32
    error_message = "ALB and target group names are limited to 32 characters."
  }
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets of the ALB (one per AZ)."
  type        = list(string)
}

variable "alb_sg_id" {
  description = "Security group of the ALB."
  type        = string
}

variable "domain_name" {
  description = "Public name of the API, e.g. staging-api.calndr.club."
  type        = string
}

variable "zone_id" {
  description = "Route 53 hosted zone that holds domain_name."
  type        = string
}

variable "container_port" {
  description = "Port the tasks listen on."
  type        = number
}

variable "health_check_path" {
  description = "Readiness route: 200 when the task can serve (503 while PostgreSQL is down)."
  type        = string
  default     = "/ready"
}

variable "deregistration_delay" {
  description = "Seconds the ALB lets in-flight requests finish before a task is stopped."
  type        = number
  default     = 30
}

variable "idle_timeout" {
  description = "Seconds an idle client connection is kept."
  type        = number
  default     = 60
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 and 1.3 only)."
  type        = string
  default     = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}

variable "deletion_protection" {
  description = "Refuse to delete the ALB (production)."
  type        = bool
}

variable "logs_bucket_name" {
  description = "Bucket that receives the access logs."
  type        = string
}

variable "logs_prefix" {
  description = "Prefix of the access logs in that bucket."
  type        = string
}
