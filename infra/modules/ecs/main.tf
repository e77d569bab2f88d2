locals {
  secrets = [for name, arn in var.container_secrets : { name = name, valueFrom = arn }]
}

################################################################################
# Cluster
################################################################################

resource "aws_ecs_cluster" "this" {
  name = var.cluster_name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = merge(var.tags, { Name = var.cluster_name })
}

################################################################################
# Task definitions (Fargate)
################################################################################

resource "aws_ecs_task_definition" "this" {
  for_each = var.services

  family                   = "${var.name}-${each.key}"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.task_cpu
  memory                   = var.task_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn

  container_definitions = jsonencode([
    {
      name                   = each.key
      image                  = "${var.repository_urls[each.key]}:${var.image_tag}"
      essential              = true
      readonlyRootFilesystem = var.readonly_root_filesystem
      portMappings = [
        {
          containerPort = each.value
          hostPort      = each.value
          protocol      = "tcp"
        }
      ]
      environment = concat(
        [
          { name = "SERVICE_NAME", value = each.key },
          { name = "PORT", value = tostring(each.value) },
        ],
        [for k, v in var.container_environment : { name = k, value = v }],
      )
      secrets = local.secrets
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = var.log_group_names[each.key]
          awslogs-region        = var.region
          awslogs-stream-prefix = each.key
        }
      }
    }
  ])

  tags = merge(var.tags, { Name = "${var.name}-${each.key}", Service = each.key })
}

################################################################################
# Services (private subnets, no public IP, behind the ALB)
################################################################################

resource "aws_ecs_service" "this" {
  for_each = var.services

  name                               = "${var.name}-${each.key}"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.this[each.key].arn
  desired_count                      = var.desired_count
  launch_type                        = "FARGATE"
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = var.health_check_grace_period_seconds
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = var.security_group_ids
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arns[each.key]
    container_name   = each.key
    container_port   = each.value
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}", Service = each.key })

  lifecycle {
    # Application Auto Scaling owns the running count.
    ignore_changes = [desired_count]
  }
}
