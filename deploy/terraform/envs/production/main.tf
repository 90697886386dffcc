# Production: the seed's values (VPC 10.0.0.0/16, api.calndr.club): a NAT gateway per AZ,
# Multi-AZ RDS with a read replica, Redis with a replica and automatic failover, on-demand Fargate
# only, 7-day logs, deletion protection and a final snapshot.

module "calndr" {
  source = "../../modules/calndr"

  environment = "production"
  aws_region  = var.aws_region

  availability_zones = var.availability_zones
  vpc_cidr           = "10.0.0.0/16"
  single_nat_gateway = false
  hosted_zone_name   = "calndr.club"
  domain_name        = "api.calndr.club"
  bastion_ssh_cidrs  = var.bastion_ssh_cidrs
  bastion_key_name   = var.bastion_key_name

  image_tag           = var.image_tag
  task_cpu            = 512
  task_memory         = 1024
  min_tasks           = 2
  max_tasks           = 10
  fargate_spot_weight = 0
  ses_identity        = "calndr.club"
  manage_ses_identity = true

  db_instance_class        = "db.t4g.medium"
  db_allocated_storage     = 50
  db_max_allocated_storage = 200
  db_max_connections       = 400
  db_multi_az              = true
  db_read_replica          = true
  redis_node_type          = "cache.t4g.small"
  redis_client_tls         = true
  redis_num_nodes          = 2
  protect_data             = true

  log_retention_days = 7
  alarm_emails       = var.alarm_emails
  provider_secrets   = var.provider_secrets
}
