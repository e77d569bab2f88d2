resource "aws_elasticache_subnet_group" "this" {
  name        = var.name
  description = "Private subnets of ${var.name}"
  subnet_ids  = var.private_subnet_ids

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_elasticache_parameter_group" "this" {
  name        = "${var.name}-redis6"
  family      = "redis6.x"
  description = "Parameters of ${var.name}"

  # Provider 3.x: aws_elasticache_parameter_group takes no tags.

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id          = var.name
  replication_group_description = "Gen AI services cache (Redis, TLS, encrypted at rest)"

  engine                = "redis"
  engine_version        = var.engine_version
  node_type             = var.node_type
  number_cache_clusters = var.number_cache_clusters
  port                  = var.port
  parameter_group_name  = aws_elasticache_parameter_group.this.name

  subnet_group_name  = aws_elasticache_subnet_group.this.name
  security_group_ids = var.security_group_ids

  at_rest_encryption_enabled = true
  kms_key_id                 = var.kms_key_arn
  transit_encryption_enabled = true
  auth_token                 = var.auth_token

  automatic_failover_enabled = var.automatic_failover_enabled
  multi_az_enabled           = var.automatic_failover_enabled && var.multi_az_enabled

  snapshot_retention_limit = var.snapshot_retention_limit
  snapshot_window          = var.snapshot_window
  maintenance_window       = var.maintenance_window

  auto_minor_version_upgrade = true
  apply_immediately          = var.apply_immediately
  notification_topic_arn     = var.notification_topic_arn

  tags = merge(var.tags, { Name = var.name })
}
