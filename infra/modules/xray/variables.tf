variable "rule_name" {
  description = "Name of the sampling rule."
  type        = string
  default     = "gen-ai-sampling"
}

variable "priority" {
  description = "Priority of the rule (lower is evaluated first)."
  type        = number
  default     = 1000
}

variable "reservoir_size" {
  description = "Traces per second sampled before the fixed rate applies."
  type        = number
  default     = 1
}

variable "fixed_rate" {
  description = "Share of requests sampled beyond the reservoir (0.05 = 5 %)."
  type        = number
  default     = 0.05
}

variable "attributes" {
  description = "Segment attributes a request must match (empty: match everything)."
  type        = map(string)
  default     = {}
}

variable "tags" {
  description = "Tags applied to the sampling rule."
  type        = map(string)
  default     = {}
}
