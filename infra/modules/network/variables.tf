variable "name" {
  description = "Name of the VPC; used as the prefix of every resource name in this module."
  type        = string
  default     = "gen-ai-vpc"
}

variable "cidr" {
  description = "IPv4 CIDR block of the VPC."
  type        = string
  default     = "10.0.0.0/16"
}

variable "azs" {
  description = "Availability zones, one per public/private subnet pair (no data source lookup: plans run offline)."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "private_subnets" {
  description = "CIDR blocks of the private subnets, one per availability zone."
  type        = list(string)
  default     = ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
}

variable "public_subnets" {
  description = "CIDR blocks of the public subnets, one per availability zone. The single NAT gateway sits in the first one."
  type        = list(string)
  default     = ["10.0.101.0/24", "10.0.102.0/24", "10.0.103.0/24"]
}

variable "account_id" {
  description = "AWS account id, used to scope the flow-log role trust policy with aws:SourceAccount. Optional."
  type        = string
  default     = null
}

variable "flow_log_retention_in_days" {
  description = "Retention of the VPC flow log group, in days."
  type        = number
  default     = 30
}

variable "flow_log_kms_key_arn" {
  description = "ARN of a KMS key to encrypt the flow log group with (its key policy must allow CloudWatch Logs). Null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null
}

variable "flow_log_traffic_type" {
  description = "Traffic captured by the VPC flow log: ACCEPT, REJECT or ALL."
  type        = string
  default     = "ALL"
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
