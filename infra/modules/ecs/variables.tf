variable "name" {
  description = "Prefix of the task definition families and service names."
  type        = string
  default     = "gen-ai"
}

variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
  default     = "gen-ai-cluster"
}

variable "region" {
  description = "AWS region, written into the awslogs driver options."
  type        = string
}

variable "services" {
  description = "Map of service name to container port (8000 + index in the design)."
  type        = map(number)
}

variable "repository_urls" {
  description = "Map of service name to ECR repository URL (without tag)."
  type        = map(string)
}

variable "image_tag" {
  description = "Image tag deployed for every service (tags are immutable in ECR)."
  type        = string
  default     = "1.0.0"
}

variable "log_group_names" {
  description = "Map of service name to CloudWatch log group name (/ecs/gen-ai-<service>)."
  type        = map(string)
}

variable "execution_role_arn" {
  description = "ARN of the task execution role (image pull, logs, secret injection)."
  type        = string
}

variable "task_role_arn" {
  description = "ARN of the task role assumed by the application containers."
  type        = string
}

variable "task_cpu" {
  description = "Fargate task CPU units."
  type        = number
  default     = 256
}

variable "task_memory" {
  description = "Fargate task memory, in MiB."
  type        = number
  default     = 512
}

variable "readonly_root_filesystem" {
  description = "Mount the container root filesystem read-only."
  type        = bool
  default     = true
}

variable "container_environment" {
  description = "Plain (non-secret) environment variables given to every container."
  type        = map(string)
  default     = {}
}

variable "container_secrets" {
  description = "Map of environment variable name to Secrets Manager ARN (optionally with a :json-key:: suffix), injected by the execution role."
  type        = map(string)
  default     = {}
}

variable "desired_count" {
  description = "Initial number of tasks per service (Application Auto Scaling takes over afterwards)."
  type        = number
  default     = 1
}

variable "health_check_grace_period_seconds" {
  description = "Seconds the service ignores load balancer health checks after a task starts."
  type        = number
  default     = 60
}

variable "private_subnet_ids" {
  description = "Private subnets the tasks run in."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups attached to the tasks."
  type        = list(string)
}

variable "target_group_arns" {
  description = "Map of service name to ALB target group ARN."
  type        = map(string)
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
