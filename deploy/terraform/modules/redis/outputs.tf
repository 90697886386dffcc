output "replication_group_id" {
  description = "Replication group id."
  value       = aws_elasticache_replication_group.this.id
}

output "primary_endpoint" {
  description = "Host name of the primary endpoint."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Redis port."
  value       = aws_elasticache_replication_group.this.port
}

output "member_clusters" {
  description = "Cache cluster ids of the nodes (CloudWatch dimension CacheClusterId)."
  value       = aws_elasticache_replication_group.this.member_clusters
}
