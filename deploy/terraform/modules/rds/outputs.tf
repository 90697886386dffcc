output "primary_identifier" {
  description = "Identifier of the primary instance."
  value       = aws_db_instance.primary.identifier
}

output "primary_address" {
  description = "Host name of the primary."
  value       = aws_db_instance.primary.address
}

output "replica_identifier" {
  description = "Identifier of the read replica (null without one)."
  value       = var.read_replica ? aws_db_instance.replica[0].identifier : null
}

output "replica_address" {
  description = "Host name of the read replica (null without one)."
  value       = var.read_replica ? aws_db_instance.replica[0].address : null
}

output "port" {
  description = "PostgreSQL port."
  value       = aws_db_instance.primary.port
}

output "database_name" {
  description = "Application database."
  value       = aws_db_instance.primary.db_name
}

output "master_username" {
  description = "Master user."
  value       = aws_db_instance.primary.username
}

output "instance_identifiers" {
  description = "Primary and (when present) replica identifiers, for alarms and dashboards."
  value       = concat([aws_db_instance.primary.identifier], aws_db_instance.replica[*].identifier)
}
