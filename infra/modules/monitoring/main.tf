locals {
  db_free_storage_threshold_bytes = coalesce(
    var.db_free_storage_threshold_bytes,
    floor(var.db_allocated_storage_gb * 1073741824 * var.disk_free_percent_threshold / 100),
  )
}

################################################################################
# Log groups of the services
################################################################################

resource "aws_cloudwatch_log_group" "services" {
  for_each = toset(var.services)

  name              = "/ecs/${var.name}-${each.key}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn

  tags = merge(var.tags, { Name = "/ecs/${var.name}-${each.key}", Service = each.key })
}

################################################################################
# Alert topic
################################################################################

resource "aws_sns_topic" "alerts" {
  name              = "${var.name}-alerts"
  kms_master_key_id = var.sns_kms_key_id

  tags = merge(var.tags, { Name = "${var.name}-alerts" })
}

data "aws_iam_policy_document" "alerts" {
  statement {
    sid    = "AccountOwnerManage"
    effect = "Allow"
    actions = [
      "SNS:GetTopicAttributes",
      "SNS:SetTopicAttributes",
      "SNS:AddPermission",
      "SNS:RemovePermission",
      "SNS:DeleteTopic",
      "SNS:Subscribe",
      "SNS:ListSubscriptionsByTopic",
      "SNS:Publish",
    ]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "AwsServicesPublish"
    effect    = "Allow"
    actions   = ["SNS:Publish"]
    resources = [aws_sns_topic.alerts.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alerts" {
  arn    = aws_sns_topic.alerts.arn
  policy = data.aws_iam_policy_document.alerts.json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alert_email_addresses)

  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = each.key
}

################################################################################
# Service alerts: healthy tasks per service (ALB HealthyHostCount of the
# service's target group = tasks passing their health check).
################################################################################

resource "aws_cloudwatch_metric_alarm" "service_health_per_service" {
  for_each = toset(var.services)

  alarm_name          = "${var.name}-${each.key}-health"
  alarm_description   = "Healthy tasks of ${each.key} dropped below ${var.healthy_task_threshold}"
  comparison_operator = "LessThanThreshold"
  evaluation_periods  = 2
  metric_name         = "HealthyHostCount"
  namespace           = "AWS/ApplicationELB"
  period              = 300
  statistic           = "Average"
  threshold           = var.healthy_task_threshold
  treat_missing_data  = "breaching"

  dimensions = {
    LoadBalancer = var.lb_arn_suffix
    TargetGroup  = var.target_group_arn_suffixes[each.key]
  }

  alarm_actions = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)
  ok_actions    = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)

  tags = merge(var.tags, { Name = "${var.name}-${each.key}-health", Service = each.key })
}

# The design's "gen-ai-service-health" alarm, corrected: the design compares
# GreaterThanThreshold (fires while things are healthy) on AWS/ECS
# HealthyTaskCount, a metric ECS does not publish, for a service
# ("gen-ai-service") that does not exist. This one watches the tasks running in
# the cluster (Container Insights TaskCount) and fires when they DROP below the
# threshold; missing data (no tasks reporting) counts as breaching.
resource "aws_cloudwatch_metric_alarm" "service_health" {
  alarm_name          = "${var.name}-service-health"
  alarm_description   = "Service health check: running tasks of ${var.cluster_name} dropped below ${var.cluster_min_running_tasks}"
  comparison_operator = "LessThanThreshold"
  evaluation_periods  = 2
  metric_name         = "TaskCount"
  namespace           = "ECS/ContainerInsights"
  period              = 300
  statistic           = "Average"
  threshold           = var.cluster_min_running_tasks
  treat_missing_data  = "breaching"

  dimensions = {
    ClusterName = var.cluster_name
  }

  alarm_actions = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)
  ok_actions    = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)

  tags = merge(var.tags, { Name = "${var.name}-service-health" })
}

################################################################################
# Infrastructure alerts
################################################################################

resource "aws_cloudwatch_metric_alarm" "cpu_high" {
  for_each = toset(var.services)

  alarm_name          = "${var.name}-${each.key}-cpu-high"
  alarm_description   = "CPU of ${each.key} above ${var.cpu_threshold_percent} %"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  metric_name         = "CPUUtilization"
  namespace           = "AWS/ECS"
  period              = 300
  statistic           = "Average"
  threshold           = var.cpu_threshold_percent
  treat_missing_data  = "missing"

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = var.ecs_service_names[each.key]
  }

  alarm_actions = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)
  ok_actions    = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)

  tags = merge(var.tags, { Name = "${var.name}-${each.key}-cpu-high", Service = each.key })
}

resource "aws_cloudwatch_metric_alarm" "memory_high" {
  for_each = toset(var.services)

  alarm_name          = "${var.name}-${each.key}-memory-high"
  alarm_description   = "Memory of ${each.key} above ${var.memory_threshold_percent} %"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  metric_name         = "MemoryUtilization"
  namespace           = "AWS/ECS"
  period              = 300
  statistic           = "Average"
  threshold           = var.memory_threshold_percent
  treat_missing_data  = "missing"

  dimensions = {
    ClusterName = var.cluster_name
    ServiceName = var.ecs_service_names[each.key]
  }

  alarm_actions = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)
  ok_actions    = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)

  tags = merge(var.tags, { Name = "${var.name}-${each.key}-memory-high", Service = each.key })
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage_low" {
  alarm_name          = "${var.name}-db-free-storage-low"
  alarm_description   = "Free storage of ${var.db_instance_identifier} below ${var.disk_free_percent_threshold} % of ${var.db_allocated_storage_gb} GiB"
  comparison_operator = "LessThanThreshold"
  evaluation_periods  = 2
  metric_name         = "FreeStorageSpace"
  namespace           = "AWS/RDS"
  period              = 300
  statistic           = "Average"
  threshold           = local.db_free_storage_threshold_bytes
  unit                = "Bytes"
  treat_missing_data  = "missing"

  dimensions = {
    DBInstanceIdentifier = var.db_instance_identifier
  }

  alarm_actions = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)
  ok_actions    = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)

  tags = merge(var.tags, { Name = "${var.name}-db-free-storage-low" })
}

resource "aws_cloudwatch_metric_alarm" "error_rate_high" {
  alarm_name          = "${var.name}-error-rate-high"
  alarm_description   = "5xx responses above ${var.error_rate_threshold_percent} % of requests on the load balancer"
  comparison_operator = "GreaterThanThreshold"
  evaluation_periods  = 2
  threshold           = var.error_rate_threshold_percent
  treat_missing_data  = "notBreaching"

  metric_query {
    id          = "error_rate"
    expression  = "100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests"
    label       = "5xx error rate (%)"
    return_data = true
  }

  metric_query {
    id = "requests"

    metric {
      metric_name = "RequestCount"
      namespace   = "AWS/ApplicationELB"
      period      = 300
      stat        = "Sum"

      dimensions = {
        LoadBalancer = var.lb_arn_suffix
      }
    }
  }

  metric_query {
    id = "target_5xx"

    metric {
      metric_name = "HTTPCode_Target_5XX_Count"
      namespace   = "AWS/ApplicationELB"
      period      = 300
      stat        = "Sum"

      dimensions = {
        LoadBalancer = var.lb_arn_suffix
      }
    }
  }

  metric_query {
    id = "elb_5xx"

    metric {
      metric_name = "HTTPCode_ELB_5XX_Count"
      namespace   = "AWS/ApplicationELB"
      period      = 300
      stat        = "Sum"

      dimensions = {
        LoadBalancer = var.lb_arn_suffix
      }
    }
  }

  alarm_actions = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)
  ok_actions    = concat([aws_sns_topic.alerts.arn], var.additional_alarm_actions)

  tags = merge(var.tags, { Name = "${var.name}-error-rate-high" })
}
