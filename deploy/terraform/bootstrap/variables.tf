variable "aws_region" {
  description = "Region of the state bucket and lock table (the environments' backend.hcl names it)."
  type        = string
  default     = "us-east-1"
}

variable "project" {
  description = "Name prefix of the bucket, table and roles."
  type        = string
  default     = "calndr"
}

variable "github_owner" {
  description = "Owner (user or organisation) of the GitHub repository whose Actions deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.github_owner))
    error_message = "github_owner is the owner part of owner/name."
  }
}

variable "github_repo" {
  description = "Name of the GitHub repository whose Actions deploy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.github_repo))
    error_message = "github_repo is the name part of owner/name."
  }
}

variable "create_github_oidc_provider" {
  description = "Create the account's GitHub OIDC provider (false when the account already has one)."
  type        = bool
  default     = true
}

variable "production_reviewer_ids" {
  description = "Numeric GitHub user ids of the production environment's required reviewers (`gh api users/<login> --jq .id`); at least one."
  type        = list(number)

  validation {
    condition     = length(var.production_reviewer_ids) > 0
    error_message = "Production deployments need at least one required reviewer."
  }
}
