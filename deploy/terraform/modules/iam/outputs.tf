output "execution_role_arn" {
  description = "ECS task execution role."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "ECS task role (the application's AWS identity)."
  value       = aws_iam_role.task.arn
}

output "rds_monitoring_role_arn" {
  description = "Role of RDS enhanced monitoring."
  value       = aws_iam_role.rds_monitoring.arn
}
