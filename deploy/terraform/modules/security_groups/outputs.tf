output "alb_sg_id" {
  description = "Security group of the ALB."
  value       = aws_security_group.alb.id
}

output "ecs_sg_id" {
  description = "Security group of the ECS tasks."
  value       = aws_security_group.ecs.id
}

output "rds_sg_id" {
  description = "Security group of RDS."
  value       = aws_security_group.rds.id
}

output "redis_sg_id" {
  description = "Security group of ElastiCache."
  value       = aws_security_group.redis.id
}

output "bastion_sg_id" {
  description = "Security group of the bastion."
  value       = aws_security_group.bastion.id
}
