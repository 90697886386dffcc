# GitHub Actions reach AWS through OpenID Connect: no long-lived access keys in GitHub.
#
#   <project>-github-plan               pull requests of this repository: read-only (ReadOnlyAccess)
#                                       to plan an environment from an empty state; it can read
#                                       neither the Terraform state (where the generated passwords
#                                       sit) nor any SSM SecureString (explicit denies here, in the
#                                       state bucket policy and in the state key policy)
#   <project>-github-deploy-staging     jobs of the GitHub environment "staging" on refs/heads/main
#   <project>-github-deploy-production  jobs of the GitHub environment "production" on
#                                       refs/heads/main, which waits for a required reviewer
#
# Each deploy role applies Terraform for its own environment only: it may not touch the other
# environment's state, parameters or tagged resources, nor the CI/CD roles, the OIDC provider and
# the state bucket, key and lock table, and the account's CloudTrail that this bootstrap owns.
#
# Two locks on each deploy role, one on each side:
#   GitHub: the environment admits deployments from `main` only (deployment branch policy), and
#           production needs a reviewer; both are managed here (github_repository_environment).
#   AWS:    the repository's OIDC subject claim carries the ref as well as the environment
#           (repo:<owner>/<repo>:environment:<env>:ref:refs/heads/main), and each role's trust
#           policy names that exact subject: a job of another branch that names the environment
#           is refused by STS even if the branch policy were lifted.

locals {
  oidc_host = "token.actions.githubusercontent.com"
  oidc_arn  = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.oidc_host}"
  repo_sub  = "repo:${var.github_owner}/${var.github_repo}"

  environments = toset(["staging", "production"])

  # What Terraform of one environment may never touch.
  bootstrap_arns = concat(
    [for r in aws_iam_role.github_deploy : r.arn],
    [
      aws_iam_role.github_plan.arn,
      local.oidc_arn,
      aws_kms_key.state.arn,
      aws_s3_bucket.state.arn,
      aws_s3_bucket.logs.arn,
      aws_dynamodb_table.locks.arn,
      aws_cloudtrail.account.arn,
      aws_kms_key.cloudtrail.arn,
    ],
  )
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

# ---- the GitHub side: subject claims with the ref, environments restricted to main -------------

resource "github_actions_repository_oidc_subject_claim_customization_template" "this" {
  repository         = var.github_repo
  use_default        = false
  include_claim_keys = ["repo", "context", "ref"]
}

resource "github_repository_environment" "this" {
  for_each = local.environments

  repository  = var.github_repo
  environment = each.key

  prevent_self_review = each.key == "production"
  dynamic "reviewers" {
    for_each = each.key == "production" ? [1] : []
    content {
      users = var.production_reviewer_ids
    }
  }

  deployment_branch_policy {
    protected_branches     = false
    custom_branch_policies = true
  }
}

resource "github_repository_environment_deployment_policy" "main_only" {
  for_each = local.environments

  repository     = var.github_repo
  environment    = github_repository_environment.this[each.key].environment
  branch_pattern = "main"
}

# ---- deploy roles, one per environment ---------------------------------------------------------

data "aws_iam_policy_document" "github_deploy_assume" {
  for_each = local.environments

  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["${local.repo_sub}:environment:${each.key}:ref:refs/heads/main"]
    }
  }
}

resource "aws_iam_role" "github_deploy" {
  for_each = local.environments

  name                 = "${var.project}-github-deploy-${each.key}"
  description          = "GitHub Actions deployments of ${var.github_owner}/${var.github_repo} to ${each.key} (environment ${each.key}, branch main)"
  assume_role_policy   = data.aws_iam_policy_document.github_deploy_assume[each.key].json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "github_deploy_admin" {
  for_each = local.environments
  #checkov:skip=CKV_AWS_274:Terraform creates VPCs, IAM roles, KMS keys, RDS and more: a deploy role needs wide rights. Only main-branch jobs of its own GitHub environment can assume it (OIDC sub with the ref), production needs a reviewer, and the inline deny keeps it out of the other environment and the bootstrap

  role       = aws_iam_role.github_deploy[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AdministratorAccess"
}

data "aws_iam_policy_document" "github_deploy_fence" {
  for_each = local.environments

  # The other environment: its tagged resources (every resource of an environment carries the
  # Environment tag of its provider's default_tags), its state and its parameters.
  statement {
    sid       = "NotTheOtherEnvironmentsResources"
    effect    = "Deny"
    actions   = ["*"]
    resources = ["*"]
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Environment"
      values   = [for e in local.environments : e if e != each.key]
    }
  }

  statement {
    sid     = "NotTheOtherEnvironmentsStateOrParameters"
    effect  = "Deny"
    actions = ["*"]
    resources = flatten([for e in local.environments : [
      "${aws_s3_bucket.state.arn}/${var.project}/${e}/*",
      "arn:${local.partition}:ssm:*:${local.account_id}:parameter/${var.project}/${e}/*",
    ] if e != each.key])
  }

  # The bootstrap: roles, OIDC provider, state bucket, key and table stay as this module made
  # them (their data, the state objects, remains readable and writable).
  statement {
    sid = "NotTheBootstrap"
    not_actions = [
      "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketVersioning",
      "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey",
      "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable",
      "iam:GetRole", "iam:ListRoles",
    ]
    effect    = "Deny"
    resources = local.bootstrap_arns
  }

  statement {
    sid    = "NoNewWaysIn"
    effect = "Deny"
    actions = [
      "iam:CreateOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
      "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateSAMLProvider", "iam:CreateUser",
      "iam:CreateAccessKey", "iam:CreateLoginProfile",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "github_deploy_fence" {
  for_each = local.environments

  name   = "only-${each.key}"
  role   = aws_iam_role.github_deploy[each.key].id
  policy = data.aws_iam_policy_document.github_deploy_fence[each.key].json
}

# ---- plan role ---------------------------------------------------------------------------------

data "aws_iam_policy_document" "github_plan_assume" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "${local.oidc_host}:sub"
      values   = ["${local.repo_sub}:pull_request:ref:refs/pull/*/merge"]
    }
  }
}

resource "aws_iam_role" "github_plan" {
  name                 = "${var.project}-github-plan"
  description          = "GitHub Actions terraform plan (from an empty state) on pull requests of ${var.github_owner}/${var.github_repo}: read-only, no state, no secrets"
  assume_role_policy   = data.aws_iam_policy_document.github_plan_assume.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "github_plan_read_only" {
  role       = aws_iam_role.github_plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

# A pull request runs its own Terraform code with this role (a data source can run anything), so
# the role must hold nothing worth stealing.
data "aws_iam_policy_document" "github_plan" {
  statement {
    sid       = "NoState"
    effect    = "Deny"
    actions   = ["s3:GetObject", "s3:GetObjectVersion", "dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*", aws_dynamodb_table.locks.arn]
  }

  statement {
    sid       = "NoDecryption"
    effect    = "Deny"
    actions   = ["kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey"]
    resources = ["*"]
  }

  statement {
    sid    = "NoSecrets"
    effect = "Deny"
    actions = [
      "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory",
      "secretsmanager:GetSecretValue", "ecr:GetAuthorizationToken", "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "github_plan" {
  name   = "no-state-no-secrets"
  role   = aws_iam_role.github_plan.id
  policy = data.aws_iam_policy_document.github_plan.json
}
