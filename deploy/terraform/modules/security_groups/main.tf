# Security groups per tier, as in the seed's model:
#   ALB      <- internet on 443 (and 80, which only redirects to 443)
#   ECS      <- ALB only, on the container port
#   RDS      <- ECS and the bastion, on 5432
#   Redis    <- ECS and the bastion, on 6379
#   bastion  <- SSH from the configured CIDRs only
# Egress is as narrow as the tier needs. A group without egress rules allows no egress
# (Terraform removes AWS's default allow-all rule).

resource "aws_security_group" "alb" {
  #checkov:skip=CKV2_AWS_5:Attached to the ALB in modules/alb (passed as var.alb_sg_id); checkov does not follow the id across modules
  name        = "${var.name}-alb"
  description = "Calndr ALB: HTTPS (and the HTTP redirect) from the internet"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_security_group" "ecs" {
  #checkov:skip=CKV2_AWS_5:Attached to the ECS service in modules/ecs (passed as var.ecs_sg_id); checkov does not follow the id across modules
  name        = "${var.name}-ecs"
  description = "Calndr ECS tasks: the container port from the ALB only"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-ecs" }
}

resource "aws_security_group" "rds" {
  #checkov:skip=CKV2_AWS_5:Attached to the RDS instances in modules/rds (passed as var.security_group_id); checkov does not follow the id across modules
  name        = "${var.name}-rds"
  description = "Calndr PostgreSQL: 5432 from the ECS tasks and the bastion"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-rds" }
}

resource "aws_security_group" "redis" {
  #checkov:skip=CKV2_AWS_5:Attached to the ElastiCache group in modules/redis (passed as var.security_group_id); checkov does not follow the id across modules
  name        = "${var.name}-redis"
  description = "Calndr Redis: 6379 from the ECS tasks and the bastion"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-redis" }
}

resource "aws_security_group" "bastion" {
  #checkov:skip=CKV2_AWS_5:Attached to the bastion in modules/bastion when one is configured (the RDS and Redis groups refer to it either way); checkov does not follow the id across modules
  name        = "${var.name}-bastion"
  description = "Calndr bastion: SSH from the configured CIDRs"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-bastion" }
}

# ---- ALB ----------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "alb_https" {
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from the internet"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_http" {
  #checkov:skip=CKV_AWS_260:Port 80 is open only so that the listener can answer 301 to HTTPS; nothing is served over HTTP
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from the internet, redirected to HTTPS by the listener"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_ecs" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Requests and health checks to the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.ecs.id
}

# ---- ECS ----------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "ecs_from_alb" {
  security_group_id            = aws_security_group.ecs.id
  description                  = "Container port from the ALB"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb.id
}

resource "aws_vpc_security_group_egress_rule" "ecs_https" {
  security_group_id = aws_security_group.ecs.id
  description       = "HTTPS to AWS APIs through NAT: ECR, CloudWatch Logs, SSM, S3, SES, SNS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "ecs_to_rds" {
  security_group_id            = aws_security_group.ecs.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.rds.id
}

resource "aws_vpc_security_group_egress_rule" "ecs_to_redis" {
  security_group_id            = aws_security_group.ecs.id
  description                  = "Redis"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis.id
}

# ---- RDS and Redis ------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "rds_from_ecs" {
  security_group_id            = aws_security_group.rds.id
  description                  = "PostgreSQL from the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.ecs.id
}

resource "aws_vpc_security_group_ingress_rule" "rds_from_bastion" {
  security_group_id            = aws_security_group.rds.id
  description                  = "PostgreSQL from the bastion"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.bastion.id
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_ecs" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the ECS tasks"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.ecs.id
}

resource "aws_vpc_security_group_ingress_rule" "redis_from_bastion" {
  security_group_id            = aws_security_group.redis.id
  description                  = "Redis from the bastion"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.bastion.id
}

# ---- bastion ------------------------------------------------------------------------------------

resource "aws_vpc_security_group_ingress_rule" "bastion_ssh" {
  for_each = toset(var.bastion_ssh_cidrs)

  security_group_id = aws_security_group.bastion.id
  description       = "SSH from ${each.value}"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = each.value
}

resource "aws_vpc_security_group_egress_rule" "bastion_to_rds" {
  security_group_id            = aws_security_group.bastion.id
  description                  = "PostgreSQL"
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  referenced_security_group_id = aws_security_group.rds.id
}

resource "aws_vpc_security_group_egress_rule" "bastion_to_redis" {
  security_group_id            = aws_security_group.bastion.id
  description                  = "Redis"
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  referenced_security_group_id = aws_security_group.redis.id
}

resource "aws_vpc_security_group_egress_rule" "bastion_https" {
  security_group_id = aws_security_group.bastion.id
  description       = "HTTPS for OS packages"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}
