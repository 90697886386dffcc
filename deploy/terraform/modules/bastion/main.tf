# Optional SSH bastion in a public subnet, the seed's way to reach PostgreSQL and Redis (psql,
# redis-cli) from an operator's machine. It exists only while bastion_ssh_cidrs is not empty;
# its security group (modules/security_groups) admits SSH from those CIDRs only.

data "aws_ssm_parameter" "al2023" {
  count = var.enabled ? 1 : 0
  name  = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# No permissions: the profile exists so that the instance has an identity and nothing else.
resource "aws_iam_role" "this" {
  count = var.enabled ? 1 : 0

  name               = "${var.name}-bastion"
  description        = "Bastion of ${var.name} (no AWS permissions)"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_iam_instance_profile" "this" {
  count = var.enabled ? 1 : 0

  name = "${var.name}-bastion"
  role = aws_iam_role.this[0].name
}

resource "aws_instance" "this" {
  #checkov:skip=CKV_AWS_88:The bastion is reached over SSH from the configured CIDRs, so it needs a public address (seed's model)
  count = var.enabled ? 1 : 0

  ami                         = data.aws_ssm_parameter.al2023[0].insecure_value
  instance_type               = var.instance_type
  subnet_id                   = var.subnet_id
  vpc_security_group_ids      = [var.security_group_id]
  associate_public_ip_address = true
  key_name                    = var.key_name
  iam_instance_profile        = aws_iam_instance_profile.this[0].name
  monitoring                  = true
  ebs_optimized               = true

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    encrypted   = true
    kms_key_id  = var.kms_key_arn
    volume_type = "gp3"
    volume_size = 8
  }

  user_data = <<-EOT
    #!/bin/bash
    dnf install -y postgresql15 redis6
  EOT

  lifecycle {
    ignore_changes = [ami]

    precondition {
      condition     = var.key_name != null
      error_message = "bastion_ssh_cidrs is set but bastion_key_name is not: without a key pair nobody can log in."
    }
  }

  tags = { Name = "${var.name}-bastion" }
}
