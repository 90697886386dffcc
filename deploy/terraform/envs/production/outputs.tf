output "aws_region" {
  description = "Region of the environment."
  value       = module.calndr.aws_region
}

output "url" {
  description = "Public base URL of the API."
  value       = module.calndr.url
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.calndr.alb_dns_name
}

output "ecr_repository_url" {
  description = "Where the deploy workflow pushes the image."
  value       = module.calndr.ecr_repository_url
}

output "ecs_cluster_name" {
  description = "ECS cluster."
  value       = module.calndr.ecs_cluster_name
}

output "ecs_service_name" {
  description = "ECS service of the API."
  value       = module.calndr.ecs_service_name
}

output "ecs_container_name" {
  description = "Container name in the task definitions."
  value       = module.calndr.ecs_container_name
}

output "app_task_definition_arn" {
  description = "Newest API task definition revision."
  value       = module.calndr.app_task_definition_arn
}

output "migrate_task_definition_arn" {
  description = "Newest migration task definition revision."
  value       = module.calndr.migrate_task_definition_arn
}

output "private_subnet_ids" {
  description = "Subnets for one-off tasks."
  value       = module.calndr.private_subnet_ids
}

output "ecs_security_group_id" {
  description = "Security group for one-off tasks."
  value       = module.calndr.ecs_security_group_id
}

output "log_group_name" {
  description = "Log group of the tasks."
  value       = module.calndr.log_group_name
}

output "rds_primary_identifier" {
  description = "RDS primary instance."
  value       = module.calndr.rds_primary_identifier
}

output "rds_primary_address" {
  description = "RDS primary host name."
  value       = module.calndr.rds_primary_address
}

output "rds_replica_address" {
  description = "RDS read replica host name."
  value       = module.calndr.rds_replica_address
}

output "redis_primary_endpoint" {
  description = "ElastiCache primary endpoint."
  value       = module.calndr.redis_primary_endpoint
}

output "ssm_parameter_names" {
  description = "SSM parameters holding the secrets."
  value       = module.calndr.ssm_parameter_names
}

output "assets_bucket_name" {
  description = "Assets bucket."
  value       = module.calndr.assets_bucket_name
}

output "logs_bucket_name" {
  description = "ALB and S3 access-log bucket."
  value       = module.calndr.logs_bucket_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.calndr.alarm_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard."
  value       = module.calndr.dashboard_name
}

output "bastion_public_ip" {
  description = "Public address of the bastion."
  value       = module.calndr.bastion_public_ip
}

output "nat_public_ips" {
  description = "Addresses the tasks' outbound traffic comes from."
  value       = module.calndr.nat_public_ips
}

output "worker_service_name" {
  description = "ECS service of the job worker."
  value       = module.calndr.worker_service_name
}

output "worker_task_definition_arn" {
  description = "Newest revision of the worker task definition."
  value       = module.calndr.worker_task_definition_arn
}

output "digest_rule_name" {
  description = "EventBridge rule of the weekly digest (the deploy workflow points it at the deployed worker revision)."
  value       = module.calndr.digest_rule_name
}
