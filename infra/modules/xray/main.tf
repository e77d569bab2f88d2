resource "aws_xray_sampling_rule" "this" {
  rule_name      = var.rule_name
  priority       = var.priority
  version        = 1
  reservoir_size = var.reservoir_size
  fixed_rate     = var.fixed_rate

  host         = "*"
  http_method  = "*"
  url_path     = "*"
  service_name = "*"
  service_type = "*"
  resource_arn = "*"

  # Matching attributes; the design put tags here by mistake.
  attributes = var.attributes

  tags = merge(var.tags, { Name = var.rule_name })
}
