variable "name" {
  description = "Name prefix, e.g. calndr-staging."
  type        = string
}

variable "account_id" {
  description = "AWS account id (scopes the flow-log role's trust)."
  type        = string
}

variable "vpc_cidr" {
  description = "CIDR of the VPC, a /16: the subnets are its /24s number 1-6."
  type        = string

  validation {
    condition     = can(cidrhost(var.vpc_cidr, 0)) && endswith(var.vpc_cidr, "/16")
    error_message = "vpc_cidr must be an IPv4 /16, e.g. 10.1.0.0/16."
  }
}

variable "availability_zones" {
  description = "The two availability zones to use."
  type        = list(string)

  validation {
    condition     = length(var.availability_zones) == 2
    error_message = "Give exactly two availability zones."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for both AZs (staging) instead of one per AZ (production)."
  type        = bool
}

variable "container_port" {
  description = "Port the tasks listen on (the public tier reaches them there)."
  type        = number
}

variable "bastion_ssh_cidrs" {
  description = "CIDRs allowed to SSH to the bastion (public tier NACL)."
  type        = list(string)
  default     = []
}

variable "kms_key_arn" {
  description = "Key that encrypts the flow-log group."
  type        = string
}

variable "flow_log_retention_days" {
  description = "Retention of the VPC flow-log group."
  type        = number
}
