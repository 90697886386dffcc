output "state_bucket" {
  description = "Pass to `terraform init -backend-config=\"bucket=...\"` and set as the TF_STATE_BUCKET variable in GitHub."
  value       = aws_s3_bucket.state.id
}

output "lock_table" {
  description = "DynamoDB table of the state locks (named in the environments' backend.hcl)."
  value       = aws_dynamodb_table.locks.name
}

output "github_deploy_role_arns" {
  description = "Set each as the AWS_DEPLOY_ROLE_ARN variable of its GitHub environment (staging, production)."
  value       = { for env, role in aws_iam_role.github_deploy : env => role.arn }
}

output "github_plan_role_arn" {
  description = "Set as the AWS_PLAN_ROLE_ARN variable in GitHub."
  value       = aws_iam_role.github_plan.arn
}
