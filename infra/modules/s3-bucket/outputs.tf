output "id" {
  description = "Name of the bucket (its id)."
  value       = aws_s3_bucket.this.id
}

output "bucket" {
  description = "Name of the bucket (known at plan time)."
  value       = aws_s3_bucket.this.bucket
}

output "arn" {
  description = "ARN of the bucket."
  value       = aws_s3_bucket.this.arn
}

output "policy_id" {
  description = "Id of the bucket policy (depend on it before delivering logs to the bucket)."
  value       = aws_s3_bucket_policy.this.id
}
