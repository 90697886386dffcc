output "aws_region" {
  description = "Region of the environment."
  value       = var.aws_region
}

output "url" {
  description = "Public base URL of the API."
  value       = module.alb.url
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.alb_dns_name
}

output "ecr_repository_url" {
  description = "Where CD pushes the image."
  value       = module.ecr.repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster."
  value       = module.ecs.cluster_name
}

output "ecs_service_name" {
  description = "ECS service of the API."
  value       = module.ecs.service_name
}

output "ecs_container_name" {
  description = "Container name in the task definitions."
  value       = module.ecs.container_name
}

output "app_task_definition_arn" {
  description = "Newest API task definition revision (the deploy moves the service to it)."
  value       = module.ecs.app_task_definition_arn
}

output "migrate_task_definition_arn" {
  description = "Newest migration task definition revision (run once per deploy)."
  value       = module.ecs.migrate_task_definition_arn
}

output "private_subnet_ids" {
  description = "Subnets for one-off tasks (the migration)."
  value       = module.network.private_subnet_ids
}

output "ecs_security_group_id" {
  description = "Security group for one-off tasks (the migration)."
  value       = module.security_groups.ecs_sg_id
}

output "log_group_name" {
  description = "Log group of the API and migration tasks."
  value       = module.ecs.log_group_name
}

output "rds_primary_identifier" {
  description = "RDS primary instance (point-in-time restores start from it)."
  value       = module.rds.primary_identifier
}

output "rds_primary_address" {
  description = "RDS primary host name."
  value       = module.rds.primary_address
}

output "rds_replica_address" {
  description = "RDS read replica host name (null without one)."
  value       = module.rds.replica_address
}

output "redis_primary_endpoint" {
  description = "ElastiCache primary endpoint."
  value       = module.redis.primary_endpoint
}

output "ssm_parameter_names" {
  description = "SSM parameters holding the secrets."
  value       = module.ssm.parameter_names
}

output "assets_bucket_name" {
  description = "Assets bucket."
  value       = module.storage.assets_bucket_name
}

output "logs_bucket_name" {
  description = "ALB and S3 access-log bucket."
  value       = module.storage.logs_bucket_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.monitoring.alarm_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.monitoring.dashboard_name
}

output "kms_key_arn" {
  description = "The environment's KMS key."
  value       = module.kms.key_arn
}

output "bastion_public_ip" {
  description = "Public address of the bastion (null without one)."
  value       = module.bastion.public_ip
}

output "nat_public_ips" {
  description = "Addresses the tasks' outbound traffic comes from."
  value       = module.network.nat_public_ips
}

output "worker_service_name" {
  description = "ECS service of the job worker."
  value       = module.ecs.worker_service_name
}

output "worker_task_definition_arn" {
  description = "Newest revision of the worker task definition."
  value       = module.ecs.worker_task_definition_arn
}

output "digest_rule_name" {
  description = "EventBridge rule of the weekly digest."
  value       = module.ecs.digest_rule_name
}
