output "s3_endpoint_id" {
  description = "ID of the S3 gateway endpoint."
  value       = aws_vpc_endpoint.s3.id
}

output "s3_prefix_list_id" {
  description = "Prefix list of S3 in the region (usable in security group rules)."
  value       = aws_vpc_endpoint.s3.prefix_list_id
}
