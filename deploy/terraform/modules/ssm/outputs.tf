output "secret_arns" {
  description = "Environment variable name => SSM parameter ARN, for the task definitions."
  value = merge(
    {
      CALNDR_DATABASE_URL = aws_ssm_parameter.database_url.arn
      CALNDR_REDIS_URL    = aws_ssm_parameter.redis_url.arn
      CALNDR_JWT_SECRET   = aws_ssm_parameter.jwt_secret.arn
    },
    { for p in aws_ssm_parameter.database_read_url : "CALNDR_DATABASE_READ_URL" => p.arn },
  )
}

output "parameter_names" {
  description = "Names of the parameters."
  value = concat(
    [aws_ssm_parameter.database_url.name, aws_ssm_parameter.redis_url.name, aws_ssm_parameter.jwt_secret.name],
    aws_ssm_parameter.database_read_url[*].name,
  )
}
