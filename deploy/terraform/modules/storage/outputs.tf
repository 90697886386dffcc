output "assets_bucket_name" {
  description = "Name of the assets bucket."
  value       = aws_s3_bucket.assets.id
}

output "assets_bucket_arn" {
  description = "ARN of the assets bucket."
  value       = aws_s3_bucket.assets.arn
}

output "logs_bucket_name" {
  description = "Name of the access-log bucket."
  value       = aws_s3_bucket.logs.id
}

output "alb_log_prefix" {
  description = "Prefix of the ALB access logs in the log bucket."
  value       = "alb"
}

output "logs_bucket_policy_id" {
  description = "Id of the log bucket's policy (the ALB must wait for it)."
  value       = aws_s3_bucket_policy.logs.id
}
