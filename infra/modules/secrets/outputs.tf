output "api_keys_secret_arn" {
  description = "ARN of the API keys secret."
  value       = aws_secretsmanager_secret.api_keys.arn
}

output "db_password_secret_arn" {
  description = "ARN of the DB credentials secret (JSON with engine, username, password)."
  value       = aws_secretsmanager_secret.db_password.arn
}

output "secret_arns" {
  description = "ARNs of every secret of this module."
  value       = [aws_secretsmanager_secret.api_keys.arn, aws_secretsmanager_secret.db_password.arn]
}

output "kms_key_arn" {
  description = "ARN of the key encrypting the secrets."
  value       = aws_kms_key.this.arn
}
