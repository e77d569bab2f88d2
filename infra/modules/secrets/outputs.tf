output "api_keys_secret_arn" {
  description = "ARN of the API keys secret."
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "db_password_secret_arn" {
  description = "ARN of the DB credentials secret (JSON with engine, username, password)."
  value       = aws_secretsmanager_secret.db_password.arn
}

output "cache_secret_arn" {
  description = "ARN of the cache-connection secret (null when not created)."
  value       = var.create_cache_secret ? aws_secretsmanager_secret.cache[0].arn : null
}

output "secret_arns" {
  description = "ARNs of every secret of this module."
  value = concat(
    [aws_secretsmanager_secret.api_keys.arn, aws_secretsmanager_secret.db_password.arn],
    aws_secretsmanager_secret.cache[*].arn,
  )
}

output "secret_names" {
  description = "Names of the secrets, by role (api_keys, db, cache)."
  value = {
    api_keys = aws_secretsmanager_secret.api_keys.name
    db       = aws_secretsmanager_secret.db_password.name
    cache    = var.create_cache_secret ? aws_secretsmanager_secret.cache[0].name : null
  }
}

output "kms_key_arn" {
  description = "ARN of the key encrypting the secrets."
  value       = aws_kms_key.this.arn
}
