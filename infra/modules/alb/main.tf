locals {
  create_certificate = var.certificate_arn == null
  certificate_arn    = local.create_certificate ? aws_acm_certificate.this[0].arn : var.certificate_arn

  # Regions launched before August 2022 deliver ALB access logs from an
  # AWS-owned ELB account; newer regions use the log-delivery service principal.
  elb_account_id = lookup(var.elb_account_ids, var.region, null)
}

################################################################################
# Access-log bucket (SSE-S3: ALB access logs do not support SSE-KMS)
################################################################################

module "logs" {
  source = "../s3-bucket"

  bucket_name      = var.access_logs_bucket_name
  force_destroy    = var.force_destroy
  logging          = var.s3_access_log_bucket == null ? null : { target_bucket = var.s3_access_log_bucket }
  policy_documents = [data.aws_iam_policy_document.logs.json]

  lifecycle_rules = [{
    id                                 = "expire-access-logs"
    expiration_days                    = var.access_logs_expiration_days
    noncurrent_version_expiration_days = 30
  }]

  tags = var.tags
}

# Log-delivery statements, merged by the module with its TLS-only statement.
data "aws_iam_policy_document" "logs" {
  dynamic "statement" {
    for_each = local.elb_account_id == null ? [] : [local.elb_account_id]

    content {
      sid       = "AllowElbAccountLogDelivery"
      effect    = "Allow"
      actions   = ["s3:PutObject"]
      resources = ["${module.logs.arn}/${var.access_logs_prefix}/AWSLogs/*"]

      principals {
        type        = "AWS"
        identifiers = ["arn:${var.partition}:iam::${statement.value}:root"]
      }
    }
  }

  statement {
    sid       = "AllowLogDeliveryService"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${module.logs.arn}/${var.access_logs_prefix}/AWSLogs/*"]

    principals {
      type        = "Service"
      identifiers = ["logdelivery.elasticloadbalancing.amazonaws.com"]
    }
  }
}

moved {
  from = aws_s3_bucket.logs
  to   = module.logs.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.logs
  to   = module.logs.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.logs
  to   = module.logs.aws_s3_bucket_policy.this
}

################################################################################
# Certificate (DNS validation is completed out of band)
################################################################################

resource "aws_acm_certificate" "this" {
  count = local.create_certificate ? 1 : 0

  domain_name               = var.domain_name
  subject_alternative_names = var.subject_alternative_names
  validation_method         = "DNS"

  tags = merge(var.tags, { Name = var.domain_name })

  lifecycle {
    create_before_destroy = true
  }
}

################################################################################
# Load balancer
################################################################################

resource "aws_lb" "this" {
  name                       = "${var.name}-alb"
  internal                   = false
  load_balancer_type         = "application"
  security_groups            = var.security_group_ids
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
  enable_deletion_protection = var.enable_deletion_protection
  enable_http2               = true
  idle_timeout               = var.idle_timeout

  access_logs {
    bucket  = module.logs.id
    prefix  = var.access_logs_prefix
    enabled = true
  }

  tags = merge(var.tags, { Name = "${var.name}-alb" })

  depends_on = [module.logs]
}

resource "aws_lb_target_group" "this" {
  for_each = var.services

  name                 = "${var.name}-${each.key}"
  port                 = each.value
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = var.deregistration_delay

  health_check {
    enabled             = true
    path                = var.health_check_path
    protocol            = "HTTP"
    port                = "traffic-port"
    matcher             = "200-399"
    interval            = 30
    timeout             = 5
    healthy_threshold   = 3
    unhealthy_threshold = 3
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = var.ssl_policy
  certificate_arn   = local.certificate_arn

  default_action {
    type = "fixed-response"

    fixed_response {
      content_type = "application/json"
      message_body = "{\"error\":\"not found\"}"
      status_code  = "404"
    }
  }
}

resource "aws_lb_listener" "http_redirect" {
  count = var.enable_http_redirect ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener_rule" "this" {
  for_each = var.services

  listener_arn = aws_lb_listener.https.arn
  priority     = 100 + index(keys(var.services), each.key)

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this[each.key].arn
  }

  condition {
    path_pattern {
      values = ["/${each.key}", "/${each.key}/*"]
    }
  }
}
