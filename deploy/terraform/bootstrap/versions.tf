# Run once per AWS account, before the environments, with local state (the bucket it creates is
# where the environments keep theirs). Keep the resulting terraform.tfstate safe, or import the
# resources again if it is lost; see docs/operations.md, "First deployment".
terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
    github = {
      source  = "integrations/github"
      version = "~> 6.6"
    }
  }
}

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = {
      Project     = "calndr"
      Environment = "shared"
      ManagedBy   = "terraform"
      Owner       = "calndr-team"
    }
  }
}

# Authenticates with GITHUB_TOKEN (a token of a repository administrator: it writes the
# environments and the OIDC subject template); nothing of it is stored in the state.
provider "github" {
  owner = var.github_owner
}
