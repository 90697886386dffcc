# Staging: the seed's values (VPC 10.1.0.0/16, staging-api.calndr.club), sized small and
# disposable: one NAT gateway, single-AZ RDS without a replica, one Redis node, Fargate Spot for
# the tasks beyond the first, 3-day logs, no deletion protection.

module "calndr" {
  source = "../../modules/calndr"

  environment = "staging"
  aws_region  = var.aws_region

  availability_zones = var.availability_zones
  vpc_cidr           = "10.1.0.0/16"
  single_nat_gateway = true
  hosted_zone_name   = "calndr.club"
  domain_name        = "staging-api.calndr.club"
  bastion_ssh_cidrs  = var.bastion_ssh_cidrs
  bastion_key_name   = var.bastion_key_name

  image_tag           = var.image_tag
  task_cpu            = 256
  task_memory         = 512
  min_tasks           = 1
  max_tasks           = 3
  fargate_spot_weight = 2
  ses_identity        = "calndr.club"
  manage_ses_identity = false

  db_instance_class        = "db.t4g.micro"
  db_allocated_storage     = 20
  db_max_allocated_storage = 50
  db_max_connections       = 100
  db_multi_az              = false
  db_read_replica          = false
  redis_node_type          = "cache.t4g.micro"
  redis_client_tls         = true
  redis_num_nodes          = 1
  protect_data             = false

  log_retention_days = 3
  alarm_emails       = var.alarm_emails
  provider_secrets   = var.provider_secrets
}
