variable "name" {
  description = "Name prefix, e.g. calndr-staging."
  type        = string
}

variable "enabled" {
  description = "Create the bastion (true when SSH CIDRs are configured)."
  type        = bool
}

variable "instance_type" {
  description = "Instance type (x86_64)."
  type        = string
  default     = "t3.micro"
}

variable "key_name" {
  description = "EC2 key pair for SSH (create it in the console or with `aws ec2 import-key-pair`)."
  type        = string
  default     = null
}

variable "subnet_id" {
  description = "Public subnet of the bastion."
  type        = string
}

variable "security_group_id" {
  description = "Security group of the bastion."
  type        = string
}

variable "kms_key_arn" {
  description = "Key of the root volume."
  type        = string
}
