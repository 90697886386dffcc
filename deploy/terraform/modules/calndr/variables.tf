# ---- identity -----------------------------------------------------------------------------------

variable "project" {
  description = "Project name, the first part of every resource name."
  type        = string
  default     = "calndr"
}

variable "environment" {
  description = "staging or production (CALNDR_ENV of the tasks too)."
  type        = string

  validation {
    condition     = contains(["staging", "production"], var.environment)
    error_message = "environment must be staging or production."
  }
}

variable "aws_region" {
  description = "AWS region of the environment."
  type        = string
}

# ---- network and DNS ----------------------------------------------------------------------------

variable "availability_zones" {
  description = "The two availability zones of the environment, e.g. [\"us-east-1a\", \"us-east-1b\"]."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "The seed's architecture spans exactly two availability zones."
  }
}

variable "vpc_cidr" {
  description = "VPC CIDR (/16)."
  type        = string
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both AZs (staging) instead of one per AZ."
  type        = bool
}

variable "hosted_zone_name" {
  description = "Existing public Route 53 hosted zone, e.g. calndr.club."
  type        = string
}

variable "domain_name" {
  description = "Public name of the API in that zone, e.g. staging-api.calndr.club."
  type        = string
}

variable "bastion_ssh_cidrs" {
  description = "CIDRs allowed to SSH to the bastion; empty (the default): no bastion."
  type        = list(string)
  default     = []
}

variable "bastion_key_name" {
  description = "EC2 key pair of the bastion."
  type        = string
  default     = null
}

# ---- application --------------------------------------------------------------------------------

variable "image_tag" {
  description = "Tag of the calndr image in this environment's ECR repository (the git SHA)."
  type        = string
}

variable "container_port" {
  description = "Port of `calndr serve` in the container."
  type        = number
  default     = 8080
}

variable "task_cpu" {
  description = "Fargate CPU units of an API task."
  type        = number
}

variable "task_memory" {
  description = "Fargate memory (MiB) of an API task."
  type        = number
}

variable "min_tasks" {
  description = "Fewest API tasks (also the initial count)."
  type        = number
}

variable "max_tasks" {
  description = "Most API tasks under auto scaling."
  type        = number
}

variable "fargate_spot_weight" {
  description = "0: on-demand only. N: after one on-demand task, N Spot tasks per on-demand task."
  type        = number
  default     = 0
}

variable "database_pool_size" {
  description = "CALNDR_DATABASE_POOL_SIZE per task (keep max_tasks x pools under db_max_connections)."
  type        = number
  default     = 16
}

variable "extra_environment" {
  description = "More plain (non-secret) environment variables for the tasks."
  type        = map(string)
  default     = {}
}

variable "provider_secrets" {
  description = "Provider secret parameters under /<project>/<env>/ that an operator has set (docs/operations.md, \"Provider secrets\"); only these are wired into the task definitions."
  type        = set(string)
  default     = []
}

variable "sns_platform_application_arn" {
  description = "Optional SNS platform application (APNs) for push through SNS instead of APNs directly; empty: none."
  type        = string
  default     = ""
}

variable "manage_ses_identity" {
  description = "Create the SES domain identity ses_identity with its DKIM records (one environment per account and domain)."
  type        = bool
  default     = false
}

variable "ses_identity" {
  description = "SES identity (domain or address) the application may send mail from."
  type        = string
}

# ---- data ---------------------------------------------------------------------------------------

variable "db_instance_class" {
  description = "RDS instance class (primary and replica)."
  type        = string
}

variable "db_allocated_storage" {
  description = "Initial RDS storage (GiB)."
  type        = number
}

variable "db_max_allocated_storage" {
  description = "RDS storage autoscaling ceiling (GiB)."
  type        = number
}

variable "db_max_connections" {
  description = "PostgreSQL max_connections."
  type        = number
}

variable "db_multi_az" {
  description = "Multi-AZ RDS (production)."
  type        = bool
}

variable "db_read_replica" {
  description = "RDS read replica (production)."
  type        = bool
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
}

variable "redis_num_nodes" {
  description = "ElastiCache nodes (2 in production: failover to the other AZ)."
  type        = number
}

variable "redis_client_tls" {
  description = "true: CALNDR_REDIS_URL is rediss:// and ElastiCache accepts TLS only. false (only for an image built without the redis crate's TLS feature, which refuses rediss:// URLs at start): redis:// inside the VPC, ElastiCache in \"preferred\" transit mode."
  type        = bool
  default     = true
}

variable "protect_data" {
  description = "Production safety: deletion protection (RDS, ALB), final snapshot, no force-destroy of buckets and images, changes in the maintenance window."
  type        = bool
}

# ---- observability ------------------------------------------------------------------------------

variable "log_retention_days" {
  description = "Retention of every log group of the environment."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7], var.log_retention_days)
    error_message = "The issue's log policy: 7 days in production, fewer (1, 3 or 5) in staging."
  }
}

variable "alarm_emails" {
  description = "Addresses that receive the alarms."
  type        = list(string)
}

variable "worker_count" {
  description = "Tasks of the `calndr worker` service that delivers queued pushes and e-mails."
  type        = number
  default     = 1
}
