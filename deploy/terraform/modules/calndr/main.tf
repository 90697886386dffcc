# One Calndr environment: everything envs/staging and envs/production have in common. The
# environments differ only in the inputs (see their main.tf).
#
#   internet -> Route 53 -> ALB (public subnets, ACM certificate)
#            -> ECS Fargate tasks (private subnets, out through NAT)
#            -> RDS PostgreSQL + ElastiCache Redis (database subnets)
#   secrets: SSM Parameter Store; images: ECR; assets: S3; logs, metrics, alarms: CloudWatch + SNS

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# The two AZs are named by the environment (a fixed set: adding AZs to the region changes
# nothing here); the lookup only proves they exist and are available.
data "aws_availability_zones" "selected" {
  state = "available"

  filter {
    name   = "zone-name"
    values = var.availability_zones
  }

  lifecycle {
    postcondition {
      condition     = length(self.names) == length(var.availability_zones)
      error_message = "Some of ${join(", ", var.availability_zones)} do not exist or are not available in ${var.aws_region}."
    }
  }
}

data "aws_route53_zone" "this" {
  name         = var.hosted_zone_name
  private_zone = false
}

locals {
  name       = "${var.project}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  azs        = sort(data.aws_availability_zones.selected.names)
  ssm_path   = "/${var.project}/${var.environment}"
  public_url = "https://${var.domain_name}"

  # Known at plan time (they drive for_each in the alarms); the rds module uses the same names.
  db_instance_identifiers = concat([local.name], var.db_read_replica ? ["${local.name}-replica"] : [])

  # The service's own PostgreSQL role: `calndr migrate` (as the owner) creates it with this
  # password and grants it DML on the tables; the API, worker and digest connect as it.
  db_service_user = "calndr_app"
  db_url = { for host, address in merge(
    { primary = module.rds.primary_address },
    var.db_read_replica ? { replica = module.rds.replica_address } : {},
    ) : host => format("postgres://%s:%s@%s:%d/%s", local.db_service_user, random_password.db_service.result,
  address, module.rds.port, module.rds.database_name) }

  app_environment = merge(
    {
      CALNDR_ENV                 = var.environment
      CALNDR_LISTEN_ADDR         = "0.0.0.0:${var.container_port}"
      CALNDR_LOG_FORMAT          = "json"
      CALNDR_MIGRATE_ON_START    = "false"
      CALNDR_TRUST_FORWARDED_FOR = "true"
      CALNDR_PUBLIC_BASE_URL     = local.public_url
      CALNDR_UPLOAD_DIR          = "/var/lib/calndr/uploads"
      CALNDR_DATABASE_POOL_SIZE  = tostring(var.database_pool_size)
      # TLS to RDS, checked against the RDS CA bundle baked into the image (rds.force_ssl=1).
      CALNDR_DATABASE_TLS = "verify-full"
      # E-mail through SES from the identity the task role may send from.
      CALNDR_MAIL       = "ses"
      CALNDR_MAIL_FROM  = "Calndr <no-reply@${var.ses_identity}>"
      CALNDR_SES_REGION = var.aws_region
      # SMS (phone verification PINs) through SNS; profile photos in the private assets bucket.
      CALNDR_SMS       = "sns"
      CALNDR_STORAGE   = "s3"
      CALNDR_S3_BUCKET = module.storage.assets_bucket_name
      RUST_LOG         = "info"
    },
    var.sns_platform_application_arn == "" ? {} : { CALNDR_SNS_PLATFORM_APPLICATION_ARN = var.sns_platform_application_arn },
    var.extra_environment,
  )
}

# ---- generated secrets (kept in the encrypted state and in SSM; never in the repository) --------

resource "random_password" "db_master" {
  length  = 40
  special = false
}

resource "random_password" "db_service" {
  length  = 40
  special = false
}

resource "random_password" "redis_auth" {
  length  = 48
  special = false
}

resource "random_password" "jwt_secret" {
  length  = 64
  special = false
}

# ---- foundation ---------------------------------------------------------------------------------

module "kms" {
  source = "../kms"

  name       = local.name
  aws_region = var.aws_region
}

module "network" {
  source = "../network"

  name                    = local.name
  account_id              = local.account_id
  vpc_cidr                = var.vpc_cidr
  availability_zones      = local.azs
  single_nat_gateway      = var.single_nat_gateway
  container_port          = var.container_port
  bastion_ssh_cidrs       = var.bastion_ssh_cidrs
  kms_key_arn             = module.kms.key_arn
  flow_log_retention_days = var.log_retention_days
}

module "security_groups" {
  source = "../security_groups"

  name              = local.name
  vpc_id            = module.network.vpc_id
  container_port    = var.container_port
  bastion_ssh_cidrs = var.bastion_ssh_cidrs
}

module "storage" {
  source = "../storage"

  name          = local.name
  account_id    = local.account_id
  kms_key_arn   = module.kms.key_arn
  force_destroy = !var.protect_data
}

module "ecr" {
  source = "../ecr"

  name         = local.name
  kms_key_arn  = module.kms.key_arn
  force_delete = !var.protect_data
}

# ---- data stores --------------------------------------------------------------------------------

module "iam" {
  source = "../iam"

  name               = local.name
  account_id         = local.account_id
  aws_region         = var.aws_region
  partition          = local.partition
  ssm_path           = local.ssm_path
  kms_key_arn        = module.kms.key_arn
  ecr_repository_arn = module.ecr.repository_arn
  log_group_arns     = [module.ecs.log_group_arn]
  assets_bucket_arn  = module.storage.assets_bucket_arn
  ses_identity       = var.ses_identity

  sns_platform_application_arn = var.sns_platform_application_arn
}

module "rds" {
  source = "../rds"

  name                   = local.name
  instance_class         = var.db_instance_class
  replica_instance_class = var.db_instance_class
  allocated_storage      = var.db_allocated_storage
  max_allocated_storage  = var.db_max_allocated_storage
  master_password        = random_password.db_master.result
  max_connections        = var.db_max_connections
  multi_az               = var.db_multi_az
  read_replica           = var.db_read_replica
  deletion_protection    = var.protect_data
  final_snapshot         = var.protect_data
  apply_immediately      = !var.protect_data
  subnet_ids             = module.network.database_subnet_ids
  security_group_id      = module.security_groups.rds_sg_id
  kms_key_arn            = module.kms.key_arn
  monitoring_role_arn    = module.iam.rds_monitoring_role_arn
  log_retention_days     = var.log_retention_days
}

module "redis" {
  source = "../redis"

  name       = local.name
  node_type  = var.redis_node_type
  num_nodes  = var.redis_num_nodes
  auth_token = random_password.redis_auth.result
  # TLS-only unless the binary cannot speak TLS to Redis yet (see var.redis_client_tls).
  transit_encryption_mode = var.redis_client_tls ? "required" : "preferred"
  apply_immediately       = !var.protect_data
  subnet_ids              = module.network.database_subnet_ids
  security_group_id       = module.security_groups.redis_sg_id
  kms_key_arn             = module.kms.key_arn
  log_retention_days      = var.log_retention_days
}

module "ssm" {
  source = "../ssm"

  path         = local.ssm_path
  kms_key_arn  = module.kms.key_arn
  database_url = local.db_url["primary"]
  database_owner_url = format("postgres://%s:%s@%s:%d/%s",
    module.rds.master_username, random_password.db_master.result,
  module.rds.primary_address, module.rds.port, module.rds.database_name)
  has_read_replica  = var.db_read_replica
  database_read_url = var.db_read_replica ? local.db_url["replica"] : null
  redis_url = format("%s://:%s@%s:%d", var.redis_client_tls ? "rediss" : "redis",
  random_password.redis_auth.result, module.redis.primary_endpoint, module.redis.port)
  initial_jwt_secret = random_password.jwt_secret.result
  provider_secrets   = var.provider_secrets
}

# ---- entry and compute --------------------------------------------------------------------------

module "alb" {
  source = "../alb"

  name                = local.name
  vpc_id              = module.network.vpc_id
  public_subnet_ids   = module.network.public_subnet_ids
  alb_sg_id           = module.security_groups.alb_sg_id
  domain_name         = var.domain_name
  zone_id             = data.aws_route53_zone.this.zone_id
  container_port      = var.container_port
  deletion_protection = var.protect_data
  logs_bucket_name    = module.storage.logs_bucket_name
  logs_prefix         = module.storage.alb_log_prefix

  # The log bucket's policy must admit the ALB's log delivery before access logs are switched on.
  depends_on = [module.storage]
}

module "ecs" {
  source = "../ecs"

  name                 = local.name
  aws_region           = var.aws_region
  image_repository_url = module.ecr.repository_url
  image_tag            = var.image_tag
  cpu                  = var.task_cpu
  memory               = var.task_memory
  container_port       = var.container_port
  desired_count        = var.min_tasks
  min_capacity         = var.min_tasks
  max_capacity         = var.max_tasks
  fargate_spot_weight  = var.fargate_spot_weight
  worker_count         = var.worker_count
  environment          = local.app_environment
  secrets              = module.ssm.secret_arns
  migrate_secrets      = module.ssm.migrate_secret_arns
  execution_role_arn   = module.iam.execution_role_arn
  task_role_arn        = module.iam.task_role_arn
  private_subnet_ids   = module.network.private_subnet_ids
  ecs_sg_id            = module.security_groups.ecs_sg_id
  target_group_arn     = module.alb.target_group_arn
  kms_key_arn          = module.kms.key_arn
  log_retention_days   = var.log_retention_days

  # The target group must belong to a listener before a service can register tasks in it.
  depends_on = [module.alb]
}

module "bastion" {
  source = "../bastion"

  name              = local.name
  enabled           = length(var.bastion_ssh_cidrs) > 0
  key_name          = var.bastion_key_name != "" ? var.bastion_key_name : null
  subnet_id         = module.network.public_subnet_ids[0]
  security_group_id = module.security_groups.bastion_sg_id
  kms_key_arn       = module.kms.key_arn
}

# ---- observability ------------------------------------------------------------------------------

module "monitoring" {
  source = "../monitoring"

  name                    = local.name
  account_id              = local.account_id
  aws_region              = var.aws_region
  domain_name             = var.domain_name
  alarm_emails            = var.alarm_emails
  kms_key_arn             = module.kms.key_arn
  ecs_cluster_name        = module.ecs.cluster_name
  ecs_service_name        = module.ecs.service_name
  alb_arn_suffix          = module.alb.alb_arn_suffix
  target_group_arn_suffix = module.alb.target_group_arn_suffix
  db_instance_identifiers = local.db_instance_identifiers
  db_max_connections      = var.db_max_connections
  redis_node_ids          = [for i in range(var.redis_num_nodes) : format("%s-%03d", local.name, i + 1)]
  route53_health_check_id = module.alb.route53_health_check_id
  app_log_group_name      = module.ecs.log_group_name

  # The slow-query metric filters sit on the RDS instances' log groups.
  depends_on = [module.rds]
}

# ---- SES sender identity ------------------------------------------------------------------------
# The domain identity the task role may send from, signed with Easy DKIM (2048-bit keys); the three
# DKIM CNAMEs go into the hosted zone, and SES verifies the domain through them. One environment
# owns it (both send from the same domain in the same account): production.

resource "aws_sesv2_email_identity" "sender" {
  count = var.manage_ses_identity ? 1 : 0

  email_identity = var.ses_identity

  dkim_signing_attributes {
    next_signing_key_length = "RSA_2048_BIT"
  }
}

resource "aws_route53_record" "ses_dkim" {
  count = var.manage_ses_identity ? 3 : 0

  zone_id = data.aws_route53_zone.this.zone_id
  name    = "${aws_sesv2_email_identity.sender[0].dkim_signing_attributes[0].tokens[count.index]}._domainkey.${var.ses_identity}"
  type    = "CNAME"
  ttl     = 1800
  records = ["${aws_sesv2_email_identity.sender[0].dkim_signing_attributes[0].tokens[count.index]}.dkim.amazonses.com"]
}
