output "secret_arns" {
  description = "Environment variable name => SSM parameter ARN, for the task definitions."
  value = merge(
    {
      CALNDR_DATABASE_URL = aws_ssm_parameter.database_url.arn
      CALNDR_REDIS_URL    = aws_ssm_parameter.redis_url.arn
      CALNDR_JWT_SECRET   = aws_ssm_parameter.jwt_secret.arn
    },
    { for p in aws_ssm_parameter.database_read_url : "CALNDR_DATABASE_READ_URL" => p.arn },
    { for name in var.provider_secrets : local.provider_secret_variables[name] => aws_ssm_parameter.provider[name].arn },
  )
}

output "migrate_secret_arns" {
  description = "What the migration task gets instead: the owner's URL, and the service's URL to create its role from."
  value = {
    CALNDR_DATABASE_URL         = aws_ssm_parameter.database_owner_url.arn
    CALNDR_DATABASE_SERVICE_URL = aws_ssm_parameter.database_url.arn
  }
}

output "parameter_names" {
  description = "Names of the parameters."
  value = concat(
    [aws_ssm_parameter.database_url.name, aws_ssm_parameter.database_owner_url.name, aws_ssm_parameter.redis_url.name, aws_ssm_parameter.jwt_secret.name],
    aws_ssm_parameter.database_read_url[*].name,
    [for p in aws_ssm_parameter.provider : p.name],
  )
}
