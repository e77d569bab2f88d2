variable "name" {
  description = "Prefix of the security group names."
  type        = string
  default     = "gen-ai"
}

variable "vpc_id" {
  description = "ID of the VPC the security groups belong to."
  type        = string
}

variable "service_port_range" {
  description = "Inclusive TCP port range the services listen on (one port per service)."
  type = object({
    from = number
    to   = number
  })
  default = {
    from = 8000
    to   = 8009
  }
}

variable "db_port" {
  description = "PostgreSQL port."
  type        = number
  default     = 5432
}

variable "cache_port" {
  description = "Redis port."
  type        = number
  default     = 6379
}

variable "alb_ingress_ipv4_cidrs" {
  description = "IPv4 CIDR blocks allowed to reach the load balancer on HTTPS."
  type        = list(string)
  default     = ["0.0.0.0/0"]
}

variable "alb_ingress_ipv6_cidrs" {
  description = "IPv6 CIDR blocks allowed to reach the load balancer on HTTPS. Empty list disables the IPv6 rule."
  type        = list(string)
  default     = ["::/0"]
}

variable "enable_http_redirect" {
  description = "Open port 80 on the load balancer group for an HTTP->HTTPS redirect listener. Off by default (control NET-MIN: only HTTPS from the world)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
