output "cluster_name" {
  description = "ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ECS cluster ARN."
  value       = aws_ecs_cluster.this.arn
}

output "service_name" {
  description = "ECS service of the API."
  value       = aws_ecs_service.app.name
}

output "container_name" {
  description = "Name of the container in both task definitions."
  value       = local.container_name
}

output "app_task_definition_arn" {
  description = "Newest revision of the API task definition (what the deploy moves the service to)."
  value       = aws_ecs_task_definition.app.arn
}

output "migrate_task_definition_arn" {
  description = "Newest revision of the one-off migration task definition."
  value       = aws_ecs_task_definition.migrate.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the tasks (JSON lines)."
  value       = aws_cloudwatch_log_group.app.name
}

output "log_group_arn" {
  description = "ARN of the tasks' log group."
  value       = aws_cloudwatch_log_group.app.arn
}

output "worker_service_name" {
  description = "ECS service of the job worker (empty when worker_count is 0)."
  value       = try(aws_ecs_service.worker[0].name, "")
}

output "worker_task_definition_arn" {
  description = "Newest revision of the worker task definition."
  value       = aws_ecs_task_definition.worker.arn
}

output "digest_rule_name" {
  description = "EventBridge rule of the weekly digest (the deploy workflow moves its target to the deployed worker revision)."
  value       = aws_cloudwatch_event_rule.digest.name
}
