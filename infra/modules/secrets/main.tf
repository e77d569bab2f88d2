data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountRootAdministersKey"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Gen AI services Secrets Manager key"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms.json

  tags = merge(var.tags, { Name = "${var.name}-secrets" })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-secrets"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Secrets (values are never written in the configuration)
################################################################################

# Value is set out of band (console/CLI) by the team owning the API keys.
resource "aws_secretsmanager_secret" "api_keys" {
  name                    = "${var.name}-api-keys"
  description             = "API keys of the Gen AI services (value managed outside Terraform)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = merge(var.tags, { Name = "${var.name}-api-keys" })
}

resource "aws_secretsmanager_secret" "db_password" {
  name                    = "${var.name}-db-password"
  description             = "Master credentials of the Gen AI PostgreSQL database"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = merge(var.tags, { Name = "${var.name}-db-password" })
}

# JSON in the format of the AWS RDS rotation functions; the services read it
# at runtime through their task role (connection details included, so the task
# definitions carry only secret names, not endpoints).
resource "aws_secretsmanager_secret_version" "db_password" {
  secret_id = aws_secretsmanager_secret.db_password.id
  secret_string = jsonencode({
    engine   = "postgres"
    host     = var.db_host
    port     = var.db_port
    dbname   = var.db_name
    username = var.db_username
    password = var.db_password
  })
}

resource "aws_secretsmanager_secret" "cache" {
  count = var.create_cache_secret ? 1 : 0

  name                    = "${var.name}-cache-connection"
  description             = "Connection details of the Gen AI Redis replication group (TLS)"
  kms_key_id              = aws_kms_key.this.arn
  recovery_window_in_days = var.recovery_window_in_days

  tags = merge(var.tags, { Name = "${var.name}-cache-connection" })
}

resource "aws_secretsmanager_secret_version" "cache" {
  count = var.create_cache_secret ? 1 : 0

  secret_id = aws_secretsmanager_secret.cache[0].id
  secret_string = jsonencode({
    host       = var.cache_host
    port       = var.cache_port
    tls        = true
    auth_token = var.cache_auth_token
  })
}

resource "aws_secretsmanager_secret_rotation" "db_password" {
  count = var.db_password_rotation_lambda_arn == null ? 0 : 1

  secret_id           = aws_secretsmanager_secret.db_password.id
  rotation_lambda_arn = var.db_password_rotation_lambda_arn

  rotation_rules {
    automatically_after_days = var.rotation_days
  }
}
