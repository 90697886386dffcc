# GitHub Actions reach AWS through OpenID Connect: no long-lived access keys in GitHub.
#
#   <project>-github-plan    pull requests: read-only, to run `terraform plan -lock=false`
#   <project>-github-deploy  jobs of the GitHub environments "staging" and "production" (the
#                            latter behind a required reviewer): push images, apply Terraform,
#                            run the migration task, update the service
#
# The trust policies name the repository's subject claims literally, so that only jobs of this
# repository's pull requests (plan) or of its GitHub environments (deploy) can assume the roles.

locals {
  oidc_host = "token.actions.githubusercontent.com"
  oidc_arn  = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${local.partition}:iam::${local.account_id}:oidc-provider/${local.oidc_host}"
}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.oidc_host}"
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "github_deploy_assume" {
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
      values = [
        "repo:${var.github_owner}/${var.github_repo}:environment:staging",
        "repo:${var.github_owner}/${var.github_repo}:environment:production",
      ]
    }
  }
}

resource "aws_iam_role" "github_deploy" {
  name                 = "${var.project}-github-deploy"
  description          = "GitHub Actions deployments of ${var.github_owner}/${var.github_repo} (environments staging and production)"
  assume_role_policy   = data.aws_iam_policy_document.github_deploy_assume.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "github_deploy_admin" {
  #checkov:skip=CKV_AWS_274:Terraform creates VPCs, IAM roles, KMS keys, RDS and more: the deploy role needs administrator rights. Only the repository's staging/production environment jobs can assume it (OIDC sub), and production needs a reviewer
  role       = aws_iam_role.github_deploy.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AdministratorAccess"
}

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
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = ["repo:${var.github_owner}/${var.github_repo}:pull_request"]
    }
  }
}

resource "aws_iam_role" "github_plan" {
  name                 = "${var.project}-github-plan"
  description          = "GitHub Actions terraform plan on pull requests of ${var.github_owner}/${var.github_repo} (read-only)"
  assume_role_policy   = data.aws_iam_policy_document.github_plan_assume.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "github_plan_read_only" {
  role       = aws_iam_role.github_plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "github_plan" {
  statement {
    sid       = "ReadTheState"
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
  }

  statement {
    sid       = "DecryptTheState"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.state.arn]
  }

  # Refreshing the SSM SecureStrings decrypts them with the environments' keys.
  statement {
    sid       = "DecryptSecureStringsThroughSsm"
    actions   = ["kms:Decrypt"]
    resources = ["arn:${local.partition}:kms:${var.aws_region}:${local.account_id}:key/*"]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${var.aws_region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "github_plan" {
  name   = "terraform-plan"
  role   = aws_iam_role.github_plan.id
  policy = data.aws_iam_policy_document.github_plan.json
}
