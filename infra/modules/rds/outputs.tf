output "db_instance_identifier" {
  description = "Identifier of the DB instance."
  value       = aws_db_instance.this.identifier
}

output "db_instance_arn" {
  description = "ARN of the DB instance."
  value       = aws_db_instance.this.arn
}

output "db_instance_address" {
  description = "Host name of the DB instance."
  value       = aws_db_instance.this.address
}

output "db_instance_port" {
  description = "Port of the DB instance."
  value       = aws_db_instance.this.port
}

output "db_instance_resource_id" {
  description = "Resource id of the instance (for rds-db:connect IAM policies)."
  value       = aws_db_instance.this.resource_id
}

output "database_name" {
  description = "Name of the initial database."
  value       = aws_db_instance.this.name
}

output "allocated_storage" {
  description = "Allocated storage in GiB (feeds the free-storage alarm)."
  value       = aws_db_instance.this.allocated_storage
}
