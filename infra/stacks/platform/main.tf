locals {
  name = var.name

  # Environment and Project reach every resource through the env root's provider
  # default_tags; module tags must never repeat those keys (see variable "tags").
  tags = merge({ ManagedBy = "terraform" }, var.tags)

  service_names = [
    "format-conversion",
    "classification",
    "workflow",
    "search",
    "quality",
    "personalization",
    "document-extraction",
    "conversational",
    "code",
  ]

  # Service name => container port (8000 + index, inside the 8000-8009 range).
  services = { for i, s in local.service_names : s => 8000 + i }

  # The account id comes from var.account_id or, without it, from the ARN of
  # the execution role once created (no STS data source: plans run offline).
  account_id = var.account_id != null ? var.account_id : module.iam.account_id

  # With a known account id the image URLs (and so the task definitions) are
  # known at plan time; otherwise they come from the created repositories.
  repository_urls = var.account_id == null ? module.ecr.repository_urls : {
    for s in local.service_names : s => "${var.account_id}.dkr.ecr.${var.region}.amazonaws.com/${local.name}-${s}"
  }

  # Null keeps the rds module's default identifier (<identifier>-final).
  final_snapshot_identifier = var.db_final_snapshot_suffix == null ? null : "${local.name}-db-final-${var.db_final_snapshot_suffix}"

  # Failover and Multi-AZ need a replica node: on with two or more nodes.
  redis_replicated = var.redis_number_cache_clusters > 1
}

################################################################################
# Keys
################################################################################

module "kms" {
  source = "../../modules/kms"

  name                    = "${local.name}-data"
  description             = "Gen AI services data key (logs, SNS, RDS, ElastiCache, ECR)"
  account_id              = local.account_id
  region                  = var.region
  deletion_window_in_days = var.kms_deletion_window_in_days

  tags = local.tags
}

################################################################################
# Network
################################################################################

module "network" {
  source = "../../modules/network"

  name            = "${local.name}-vpc"
  cidr            = "10.0.0.0/16"
  azs             = var.azs
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]

  account_id                 = var.account_id
  flow_log_retention_in_days = 30
  flow_log_kms_key_arn       = module.kms.key_arn

  tags = local.tags
}

module "security_groups" {
  source = "../../modules/security-groups"

  name                 = local.name
  vpc_id               = module.network.vpc_id
  enable_http_redirect = var.enable_http_redirect

  tags = local.tags
}

module "endpoints" {
  source = "../../modules/endpoints"

  name            = local.name
  vpc_id          = module.network.vpc_id
  region          = var.region
  route_table_ids = module.network.private_route_table_ids

  tags = local.tags
}

################################################################################
# Storage, secrets, identities
################################################################################

module "storage" {
  source = "../../modules/storage"

  providers = {
    aws         = aws
    aws.replica = aws.replica
  }

  name                    = local.name
  documents_bucket_name   = "${var.bucket_prefix}-documents"
  access_logs_bucket_name = "${var.bucket_prefix}-access-logs"
  documents_sse_algorithm = "AES256"

  replication_enabled = var.enable_replication
  replica_region      = var.replica_region
  replica_bucket_name = "${var.bucket_prefix}-documents-replica"

  account_id    = var.account_id
  force_destroy = var.force_destroy

  tags = local.tags
}

module "secrets" {
  source = "../../modules/secrets"

  name        = local.name
  account_id  = local.account_id
  db_username = "genai_admin"
  db_password = var.db_password
  db_host     = module.rds.db_instance_address
  db_port     = module.rds.db_instance_port
  db_name     = module.rds.database_name

  cache_host       = module.redis.primary_endpoint_address
  cache_port       = module.redis.port
  cache_auth_token = var.redis_auth_token

  recovery_window_in_days         = var.secrets_recovery_window_in_days
  kms_deletion_window_in_days     = var.kms_deletion_window_in_days
  db_password_rotation_lambda_arn = var.db_password_rotation_lambda_arn

  tags = local.tags
}

module "iam" {
  source = "../../modules/iam"

  name                  = local.name
  account_id            = var.account_id
  documents_bucket_arn  = module.storage.documents_bucket_arn
  task_secret_arns      = module.secrets.secret_arns
  execution_secret_arns = []
  secrets_kms_key_arns  = [module.secrets.kms_key_arn]

  tags = local.tags
}

################################################################################
# Containers
################################################################################

module "ecr" {
  source = "../../modules/ecr"

  name        = local.name
  services    = local.service_names
  kms_key_arn = module.kms.key_arn

  tags = local.tags
}

module "alb" {
  source = "../../modules/alb"

  name                       = local.name
  region                     = var.region
  vpc_id                     = module.network.vpc_id
  public_subnet_ids          = module.network.public_subnet_ids
  security_group_ids         = [module.security_groups.alb_security_group_id]
  services                   = local.services
  certificate_arn            = var.certificate_arn
  domain_name                = var.domain_name
  enable_http_redirect       = var.enable_http_redirect
  enable_deletion_protection = var.deletion_protection

  access_logs_bucket_name = "${var.bucket_prefix}-alb-logs"
  s3_access_log_bucket    = module.storage.access_logs_bucket_name
  force_destroy           = var.force_destroy

  tags = local.tags
}

module "ecs" {
  source = "../../modules/ecs"

  name               = local.name
  cluster_name       = "${local.name}-cluster"
  region             = var.region
  services           = local.services
  repository_urls    = local.repository_urls
  image_tag          = var.image_tag
  log_group_names    = module.monitoring.log_group_names
  execution_role_arn = module.iam.execution_role_arn
  task_role_arn      = module.iam.task_role_arn
  private_subnet_ids = module.network.private_subnet_ids
  security_group_ids = [module.security_groups.service_security_group_id]
  target_group_arns  = module.alb.target_group_arns
  desired_count      = var.desired_count

  # Only names here (no endpoints, no secret values): the services read the
  # connection secrets at runtime with their task role.
  container_environment = {
    ENVIRONMENT        = var.environment
    DOCUMENTS_BUCKET   = module.storage.documents_bucket_name
    DB_SECRET_ID       = module.secrets.secret_names["db"]
    CACHE_SECRET_ID    = module.secrets.secret_names["cache"]
    API_KEYS_SECRET_ID = module.secrets.secret_names["api_keys"]
    XRAY_SAMPLING_RULE = "${local.name}-sampling"
  }

  depends_on = [module.ecr]

  tags = local.tags
}

module "autoscaling" {
  source = "../../modules/autoscaling"

  cluster_name       = module.ecs.cluster_name
  service_names      = module.ecs.service_names
  min_capacity       = 1
  max_capacity       = 4
  cpu_target_percent = 70
}

################################################################################
# Data stores
################################################################################

module "rds" {
  source = "../../modules/rds"

  identifier         = "${local.name}-db"
  engine_version     = "15.7"
  instance_class     = "db.t3.micro"
  allocated_storage  = 20
  storage_type       = "gp2"
  kms_key_arn        = module.kms.key_arn
  log_kms_key_arn    = module.kms.key_arn
  database_name      = "genai"
  username           = "genai_admin"
  password           = var.db_password
  private_subnet_ids = module.network.private_subnet_ids
  security_group_ids = [module.security_groups.db_security_group_id]

  multi_az                  = var.db_multi_az
  backup_retention_period   = 7
  backup_window             = "03:00-04:00"
  maintenance_window        = "sun:05:00-sun:06:00"
  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = false
  final_snapshot_identifier = local.final_snapshot_identifier
  apply_immediately         = var.apply_immediately
  monitoring_interval       = var.db_monitoring_interval
  account_id                = var.account_id

  tags = local.tags
}

module "redis" {
  source = "../../modules/redis"

  name                       = "${local.name}-cache"
  node_type                  = "cache.t3.micro"
  number_cache_clusters      = var.redis_number_cache_clusters
  automatic_failover_enabled = local.redis_replicated
  multi_az_enabled           = local.redis_replicated
  kms_key_arn                = module.kms.key_arn
  auth_token                 = var.redis_auth_token
  private_subnet_ids         = module.network.private_subnet_ids
  security_group_ids         = [module.security_groups.cache_security_group_id]
  snapshot_retention_limit   = 7
  apply_immediately          = var.apply_immediately

  tags = local.tags
}

################################################################################
# Observability, audit, cost
################################################################################

module "monitoring" {
  source = "../../modules/monitoring"

  name                  = local.name
  services              = local.service_names
  log_retention_in_days = 30
  kms_key_arn           = module.kms.key_arn
  sns_kms_key_id        = module.kms.key_arn
  account_id            = local.account_id
  alert_email_addresses = var.alert_email_addresses

  cluster_name              = module.ecs.cluster_name
  ecs_service_names         = module.ecs.service_names
  lb_arn_suffix             = module.alb.lb_arn_suffix
  target_group_arn_suffixes = module.alb.target_group_arn_suffixes
  db_instance_identifier    = module.rds.db_instance_identifier
  db_allocated_storage_gb   = 20

  tags = local.tags
}

module "xray" {
  source = "../../modules/xray"
  count  = var.enable_xray_sampling_rule ? 1 : 0

  rule_name = "${local.name}-sampling"

  tags = local.tags
}

module "cloudtrail" {
  source = "../../modules/cloudtrail"

  name                        = "${local.name}-trail"
  account_id                  = local.account_id
  region                      = var.region
  bucket_name                 = "${var.bucket_prefix}-cloudtrail"
  kms_deletion_window_in_days = var.kms_deletion_window_in_days
  access_log_bucket           = module.storage.access_logs_bucket_name
  cloudwatch_logs_enabled     = var.cloudtrail_cloudwatch_logs_enabled
  force_destroy               = var.force_destroy

  tags = local.tags
}

module "budget" {
  source = "../../modules/budget"
  count  = var.enable_budget ? 1 : 0

  name                       = "${local.name}-monthly"
  limit_amount               = var.budget_limit_amount
  threshold_percent          = 80
  subscriber_email_addresses = var.budget_email_addresses
  subscriber_sns_topic_arns  = [module.monitoring.sns_topic_arn]
}
