data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    sid     = "EcsTasksAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    dynamic "condition" {
      for_each = var.account_id == null ? [] : [var.account_id]

      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

################################################################################
# Task execution role: pull images, write logs, inject secrets
################################################################################

resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-task-execution"
  description        = "ECS agent: image pull, awslogs, secret injection"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = merge(var.tags, { Name = "${var.name}-ecs-task-execution" })
}

resource "aws_iam_role_policy_attachment" "execution" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:${var.partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "ReadInjectedSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = var.execution_secret_arns
  }

  statement {
    sid       = "DecryptInjectedSecrets"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = var.secrets_kms_key_arns
  }
}

resource "aws_iam_role_policy" "execution" {
  count = length(var.execution_secret_arns) > 0 ? 1 : 0

  name   = "${var.name}-ecs-task-execution-secrets"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

################################################################################
# Task role: what the application code may do
################################################################################

resource "aws_iam_role" "task" {
  name               = "${var.name}-ecs-task"
  description        = "Gen AI service containers: read documents and their own secrets"
  assume_role_policy = data.aws_iam_policy_document.ecs_tasks_assume.json

  tags = merge(var.tags, { Name = "${var.name}-ecs-task" })
}

data "aws_iam_policy_document" "task" {
  statement {
    sid       = "ListDocumentsBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [var.documents_bucket_arn]
  }

  statement {
    sid       = "ReadDocuments"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = ["${var.documents_bucket_arn}/*"]
  }

  statement {
    sid       = "ReadOwnSecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = var.task_secret_arns
  }

  statement {
    sid       = "DecryptOwnData"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = concat(var.secrets_kms_key_arns, var.task_kms_key_arns)
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "${var.name}-ecs-task"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json
}

# X-Ray daemon/SDK write access: the X-Ray write APIs only support Resource "*",
# so the AWS managed policy is attached rather than a wildcard inline statement.
resource "aws_iam_role_policy_attachment" "task_xray" {
  count = var.enable_xray_write ? 1 : 0

  role       = aws_iam_role.task.name
  policy_arn = "arn:${var.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}
