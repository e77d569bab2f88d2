variable "name" {
  description = "Prefix of the load balancer and target group names."
  type        = string
  default     = "gen-ai"
}

variable "region" {
  description = "AWS region of the load balancer (selects the ELB log-delivery account)."
  type        = string
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "vpc_id" {
  description = "ID of the VPC of the target groups."
  type        = string
}

variable "public_subnet_ids" {
  description = "Public subnets the internet-facing load balancer is placed in."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups attached to the load balancer."
  type        = list(string)
}

variable "services" {
  description = "Map of service name to container port; one target group and one path-based rule (/<service>/*) each."
  type        = map(number)
}

variable "health_check_path" {
  description = "HTTP path of the target group health checks."
  type        = string
  default     = "/health"
}

variable "deregistration_delay" {
  description = "Seconds a draining target keeps receiving in-flight requests."
  type        = number
  default     = 30
}

variable "idle_timeout" {
  description = "Idle connection timeout of the load balancer, in seconds."
  type        = number
  default     = 60
}

variable "ssl_policy" {
  description = "TLS policy of the HTTPS listener (TLS 1.2 or newer only)."
  type        = string
  default     = "ELBSecurityPolicy-TLS-1-2-2017-01"
}

variable "certificate_arn" {
  description = "ARN of an existing, issued ACM certificate. Null creates an aws_acm_certificate for domain_name (DNS validation completed out of band)."
  type        = string
  default     = null
}

variable "domain_name" {
  description = "Domain name of the certificate created when certificate_arn is null."
  type        = string
  default     = null
}

variable "subject_alternative_names" {
  description = "Additional names of the created certificate."
  type        = list(string)
  default     = []
}

variable "enable_http_redirect" {
  description = "Create a port-80 listener that only redirects to HTTPS (needs port 80 open on the ALB security group). Off by default."
  type        = bool
  default     = false
}

variable "enable_deletion_protection" {
  description = "Protect the load balancer against deletion."
  type        = bool
  default     = true
}

variable "access_logs_bucket_name" {
  description = "Name of the S3 bucket created for the load balancer access logs."
  type        = string
}

variable "access_logs_prefix" {
  description = "Key prefix of the load balancer access logs."
  type        = string
  default     = "alb"
}

variable "access_logs_expiration_days" {
  description = "Days after which load balancer access logs expire."
  type        = number
  default     = 365
}

variable "s3_access_log_bucket" {
  description = "Bucket receiving S3 server access logs of the ALB log bucket. Null disables them."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow destroying the access-log bucket while it still holds objects."
  type        = bool
  default     = false
}

variable "elb_account_ids" {
  description = "AWS-owned Elastic Load Balancing account per region, allowed to write access logs (regions missing here use the log-delivery service principal)."
  type        = map(string)
  default = {
    "us-east-1"      = "127311923021"
    "us-east-2"      = "033677994240"
    "us-west-1"      = "027434742980"
    "us-west-2"      = "797873946194"
    "ca-central-1"   = "985666609251"
    "eu-central-1"   = "054676820928"
    "eu-west-1"      = "156460612806"
    "eu-west-2"      = "652711504416"
    "eu-west-3"      = "009996457667"
    "eu-north-1"     = "897822967062"
    "ap-northeast-1" = "582318560864"
    "ap-northeast-2" = "600734575887"
    "ap-southeast-1" = "114774131450"
    "ap-southeast-2" = "783225319266"
    "ap-south-1"     = "718504428378"
    "sa-east-1"      = "507241528517"
  }
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
