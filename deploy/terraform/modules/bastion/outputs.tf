output "public_ip" {
  description = "Public address of the bastion (null when disabled)."
  value       = var.enabled ? aws_instance.this[0].public_ip : null
}
