variable "name" {
  description = "Prefix of the endpoint Name tag."
  type        = string
  default     = "gen-ai"
}

variable "vpc_id" {
  description = "ID of the VPC."
  type        = string
}

variable "region" {
  description = "AWS region of the VPC (builds com.amazonaws.<region>.s3)."
  type        = string
}

variable "route_table_ids" {
  description = "Route tables (the private ones) that get a route to S3 through the gateway endpoint."
  type        = list(string)
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
