################################################################################
# Security groups (rules are separate resources to avoid cross-group cycles)
################################################################################

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb-sg"
  description = "Public load balancer: HTTPS from the internet"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-alb-sg" })
}

resource "aws_security_group" "service" {
  name        = "${var.name}-service-sg"
  description = "Security group for Gen AI services"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-service-sg" })
}

resource "aws_security_group" "db" {
  name        = "${var.name}-db-sg"
  description = "PostgreSQL: reachable only from the service group"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-db-sg" })
}

resource "aws_security_group" "cache" {
  name        = "${var.name}-cache-sg"
  description = "Redis: reachable only from the service group"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = "${var.name}-cache-sg" })
}

################################################################################
# ALB rules
################################################################################

resource "aws_security_group_rule" "alb_https_ipv4" {
  type              = "ingress"
  description       = "HTTPS from the internet (IPv4)"
  security_group_id = aws_security_group.alb.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = var.alb_ingress_ipv4_cidrs
}

resource "aws_security_group_rule" "alb_https_ipv6" {
  count = length(var.alb_ingress_ipv6_cidrs) > 0 ? 1 : 0

  type              = "ingress"
  description       = "HTTPS from the internet (IPv6)"
  security_group_id = aws_security_group.alb.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  ipv6_cidr_blocks  = var.alb_ingress_ipv6_cidrs
}

# Off by default: control NET-MIN allows only HTTPS from the world.
resource "aws_security_group_rule" "alb_http_redirect_ipv4" {
  count = var.enable_http_redirect ? 1 : 0

  type              = "ingress"
  description       = "HTTP from the internet, only redirected to HTTPS by the listener"
  security_group_id = aws_security_group.alb.id
  protocol          = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_blocks       = var.alb_ingress_ipv4_cidrs
}

resource "aws_security_group_rule" "alb_to_service" {
  type                     = "egress"
  description              = "Forward to the service ports"
  security_group_id        = aws_security_group.alb.id
  protocol                 = "tcp"
  from_port                = var.service_port_range.from
  to_port                  = var.service_port_range.to
  source_security_group_id = aws_security_group.service.id
}

################################################################################
# Service rules
################################################################################

resource "aws_security_group_rule" "service_from_alb" {
  type                     = "ingress"
  description              = "Service ports from the load balancer only"
  security_group_id        = aws_security_group.service.id
  protocol                 = "tcp"
  from_port                = var.service_port_range.from
  to_port                  = var.service_port_range.to
  source_security_group_id = aws_security_group.alb.id
}

resource "aws_security_group_rule" "service_https_out" {
  type              = "egress"
  description       = "HTTPS to AWS APIs (ECR, Secrets Manager, CloudWatch, S3) and external model APIs"
  security_group_id = aws_security_group.service.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["0.0.0.0/0"]
}

resource "aws_security_group_rule" "service_to_db" {
  type                     = "egress"
  description              = "PostgreSQL to the database group"
  security_group_id        = aws_security_group.service.id
  protocol                 = "tcp"
  from_port                = var.db_port
  to_port                  = var.db_port
  source_security_group_id = aws_security_group.db.id
}

resource "aws_security_group_rule" "service_to_cache" {
  type                     = "egress"
  description              = "Redis to the cache group"
  security_group_id        = aws_security_group.service.id
  protocol                 = "tcp"
  from_port                = var.cache_port
  to_port                  = var.cache_port
  source_security_group_id = aws_security_group.cache.id
}

################################################################################
# Data store rules (no egress rules: responses are stateful)
################################################################################

resource "aws_security_group_rule" "db_from_service" {
  type                     = "ingress"
  description              = "PostgreSQL from the service group only"
  security_group_id        = aws_security_group.db.id
  protocol                 = "tcp"
  from_port                = var.db_port
  to_port                  = var.db_port
  source_security_group_id = aws_security_group.service.id
}

resource "aws_security_group_rule" "cache_from_service" {
  type                     = "ingress"
  description              = "Redis from the service group only"
  security_group_id        = aws_security_group.cache.id
  protocol                 = "tcp"
  from_port                = var.cache_port
  to_port                  = var.cache_port
  source_security_group_id = aws_security_group.service.id
}
