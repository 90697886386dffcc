# Inputs an operator (or the deploy workflow) provides. Everything else is in main.tf.

variable "aws_region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "availability_zones" {
  description = "The environment's two availability zones (change them with aws_region)."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b"]
}

variable "image_tag" {
  description = "Tag of the calndr image in this environment's ECR repository (the git SHA the deploy workflow pushed)."
  type        = string
}

variable "alarm_emails" {
  description = "Addresses that receive the CloudWatch alarms (each confirms a subscription mail)."
  type        = list(string)
}

variable "bastion_ssh_cidrs" {
  description = "CIDRs allowed to SSH to the bastion; empty: no bastion."
  type        = list(string)
  default     = []
}

variable "bastion_key_name" {
  description = "EC2 key pair of the bastion (required with bastion_ssh_cidrs)."
  type        = string
  default     = null
}

variable "provider_secrets" {
  description = "Provider secret parameters that hold real values (GitHub variable PROVIDER_SECRETS, a JSON list; docs/operations.md, \"Provider secrets\")."
  type        = set(string)
  default     = []
}
