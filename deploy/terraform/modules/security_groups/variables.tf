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
    # /16 or narrower (IPv4), /48 or narrower (IPv6): 0.0.0.0/1 is half the internet, not an office.
    condition = alltrue([for c in var.bastion_ssh_cidrs : can(cidrhost(c, 0)) && (
      strcontains(c, ":") ? tonumber(split("/", c)[1]) >= 48 : tonumber(split("/", c)[1]) >= 16
    )])
    error_message = "bastion_ssh_cidrs must be office or VPN ranges: IPv4 /16 or narrower, IPv6 /48 or narrower."
  }
}
