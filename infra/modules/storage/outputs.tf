output "documents_bucket_id" {
  description = "Name of the documents bucket."
  value       = module.documents.id
}

output "documents_bucket_name" {
  description = "Name of the documents bucket (known at plan time)."
  value       = module.documents.bucket
}

output "documents_bucket_arn" {
  description = "ARN of the documents bucket."
  value       = module.documents.arn
}

output "access_logs_bucket_id" {
  description = "Name of the S3 access-log bucket."
  value       = module.access_logs.id
}

output "access_logs_bucket_name" {
  description = "Name of the S3 access-log bucket (known at plan time)."
  value       = module.access_logs.bucket
}

output "access_logs_bucket_arn" {
  description = "ARN of the S3 access-log bucket."
  value       = module.access_logs.arn
}

output "replica_bucket_arn" {
  description = "ARN of the replica bucket (null when replication is off)."
  value       = var.replication_enabled ? module.replica[0].arn : null
}

output "replication_role_arn" {
  description = "ARN of the replication role (null when replication is off)."
  value       = var.replication_enabled ? aws_iam_role.replication[0].arn : null
}
