variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
}

variable "service_names" {
  description = "Map of service key to ECS service name; one scalable target and one CPU policy each."
  type        = map(string)
}

variable "min_capacity" {
  description = "Minimum number of tasks per service."
  type        = number
  default     = 1
}

variable "max_capacity" {
  description = "Maximum number of tasks per service."
  type        = number
  default     = 4
}

variable "cpu_target_percent" {
  description = "Average CPU utilisation the target-tracking policy keeps each service at."
  type        = number
  default     = 70
}

variable "scale_in_cooldown" {
  description = "Seconds between scale-in activities."
  type        = number
  default     = 300
}

variable "scale_out_cooldown" {
  description = "Seconds between scale-out activities."
  type        = number
  default     = 60
}
