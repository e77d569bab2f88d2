output "execution_role_arn" {
  description = "ARN of the task execution role."
  value       = aws_iam_role.execution.arn
}

output "execution_role_name" {
  description = "Name of the task execution role."
  value       = aws_iam_role.execution.name
}

output "task_role_arn" {
  description = "ARN of the task role."
  value       = aws_iam_role.task.arn
}

output "task_role_name" {
  description = "Name of the task role."
  value       = aws_iam_role.task.name
}

output "account_id" {
  description = "Account id read from the execution role ARN once it exists (lets callers build account-scoped policies without an STS data source)."
  value       = element(split(":", aws_iam_role.execution.arn), 4)
}
