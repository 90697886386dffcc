variable "name" {
  description = "Name prefix, e.g. calndr-staging."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the groups."
  type        = string
}

variable "container_port" {
  description = "Port the tasks listen on."
  type        = number
}

variable "bastion_ssh_cidrs" {
  description = "CIDRs allowed to SSH to the bastion; empty: no SSH at all."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.bastion_ssh_cidrs : can(cidrhost(c, 0)) && !endswith(c, "/0")])
    error_message = "bastion_ssh_cidrs must be CIDRs narrower than the whole internet."
  }
}
