terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "~> 3.6"
    }
  }

  # Partial configuration: the rest is in backend.hcl, and the bucket (its name holds the account
  # id) comes from the command line:
  #   terraform init -backend-config=backend.hcl -backend-config="bucket=calndr-terraform-state-<account id>"
  backend "s3" {}
}

provider "aws" {
  region = var.aws_region

  # The seed's tags, on every resource that takes tags.
  default_tags {
    tags = {
      Project     = "calndr"
      Environment = "staging"
      ManagedBy   = "terraform"
      Owner       = "calndr-team"
    }
  }
}
