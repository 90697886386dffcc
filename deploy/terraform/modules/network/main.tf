# VPC across two availability zones with three subnet tiers:
#   public   (ALB, NAT gateways, bastion)   10.x.1.0/24, 10.x.2.0/24
#   private  (ECS tasks; out through NAT)   10.x.3.0/24, 10.x.4.0/24
#   database (RDS, ElastiCache; no route out) 10.x.5.0/24, 10.x.6.0/24
# NAT: one per AZ (production) or a single one shared by both AZs (staging, to save cost).

locals {
  az_count        = length(var.availability_zones)
  public_cidrs    = [for i in range(local.az_count) : cidrsubnet(var.vpc_cidr, 8, 1 + i)]
  private_cidrs   = [for i in range(local.az_count) : cidrsubnet(var.vpc_cidr, 8, 3 + i)]
  database_cidrs  = [for i in range(local.az_count) : cidrsubnet(var.vpc_cidr, 8, 5 + i)]
  nat_count       = var.single_nat_gateway ? 1 : local.az_count
  flow_log_group  = "/vpc/${var.name}/flow-logs"
  ephemeral_start = 1024
}

resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = { Name = "${var.name}-vpc" }
}

# The default security group of the VPC allows nothing; every resource gets its own group.
resource "aws_default_security_group" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-default-deny-all" }
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-igw" }
}

# ---- subnets ------------------------------------------------------------------------------------

resource "aws_subnet" "public" {
  count = local.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.public_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]
  # Nothing in the public tier needs an automatic public address: the ALB and the NAT gateways get
  # theirs from AWS, the bastion asks for one explicitly.
  map_public_ip_on_launch = false

  tags = { Name = "${var.name}-public-${var.availability_zones[count.index]}", Tier = "public" }
}

resource "aws_subnet" "private" {
  count = local.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.private_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]

  tags = { Name = "${var.name}-private-${var.availability_zones[count.index]}", Tier = "private" }
}

resource "aws_subnet" "database" {
  count = local.az_count

  vpc_id            = aws_vpc.this.id
  cidr_block        = local.database_cidrs[count.index]
  availability_zone = var.availability_zones[count.index]

  tags = { Name = "${var.name}-database-${var.availability_zones[count.index]}", Tier = "database" }
}

# ---- NAT ----------------------------------------------------------------------------------------

resource "aws_eip" "nat" {
  count  = local.nat_count
  domain = "vpc"

  tags = { Name = "${var.name}-nat-${var.availability_zones[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = { Name = "${var.name}-nat-${var.availability_zones[count.index]}" }

  depends_on = [aws_internet_gateway.this]
}

# ---- routes -------------------------------------------------------------------------------------

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-public" }
}

resource "aws_route" "public_internet" {
  route_table_id         = aws_route_table.public.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this.id
}

resource "aws_route_table_association" "public" {
  count = local.az_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table" "private" {
  count = local.az_count

  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-private-${var.availability_zones[count.index]}" }
}

resource "aws_route" "private_nat" {
  count = local.az_count

  route_table_id         = aws_route_table.private[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id
}

resource "aws_route_table_association" "private" {
  count = local.az_count

  subnet_id      = aws_subnet.private[count.index].id
  route_table_id = aws_route_table.private[count.index].id
}

# The database tier has only the implicit local route: nothing there reaches the internet.
resource "aws_route_table" "database" {
  vpc_id = aws_vpc.this.id

  tags = { Name = "${var.name}-database" }
}

resource "aws_route_table_association" "database" {
  count = local.az_count

  subnet_id      = aws_subnet.database[count.index].id
  route_table_id = aws_route_table.database.id
}

# ---- network ACLs (stateless; the security groups do the fine-grained work) ----------------------
# Return traffic of outbound connections arrives on ephemeral ports 1024-65535, all of them: a
# NACL is stateless, so a hole at 3389 dropped the answers of every connection whose source port
# happened to be 3389. No listener is on 3389 anywhere, and the (stateful) security groups admit
# no inbound connection to it.

locals {
  ephemeral_ranges = [
    { from = local.ephemeral_start, to = 65535 },
  ]
}

resource "aws_network_acl" "public" {
  vpc_id     = aws_vpc.this.id
  subnet_ids = aws_subnet.public[*].id

  tags = { Name = "${var.name}-public" }
}

resource "aws_network_acl_rule" "public_in_https" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

resource "aws_network_acl_rule" "public_in_http" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 110
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 80
  to_port        = 80
}

resource "aws_network_acl_rule" "public_in_ssh" {
  count = length(var.bastion_ssh_cidrs)

  network_acl_id = aws_network_acl.public.id
  rule_number    = 120 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.bastion_ssh_cidrs[count.index]
  from_port      = 22
  to_port        = 22
}

# Traffic from the VPC: the ALB's answers from the tasks, connections from private subnets to
# the NAT gateways, the bastion's answers from the databases.
resource "aws_network_acl_rule" "public_in_vpc" {
  count = length(local.ephemeral_ranges)

  network_acl_id = aws_network_acl.public.id
  rule_number    = 200 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.vpc_cidr
  from_port      = local.ephemeral_ranges[count.index].from
  to_port        = local.ephemeral_ranges[count.index].to
}

resource "aws_network_acl_rule" "public_in_vpc_https" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 210
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = var.vpc_cidr
  from_port      = 443
  to_port        = 443
}

resource "aws_network_acl_rule" "public_in_ephemeral" {
  count = length(local.ephemeral_ranges)

  network_acl_id = aws_network_acl.public.id
  rule_number    = 300 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = local.ephemeral_ranges[count.index].from
  to_port        = local.ephemeral_ranges[count.index].to
}

resource "aws_network_acl_rule" "public_out_all" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 100
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 0
  to_port        = 0
}

resource "aws_network_acl" "private" {
  vpc_id     = aws_vpc.this.id
  subnet_ids = aws_subnet.private[*].id

  tags = { Name = "${var.name}-private" }
}

# The ALB (public subnets) reaches the tasks on the container port.
resource "aws_network_acl_rule" "private_in_app" {
  count = local.az_count

  network_acl_id = aws_network_acl.private.id
  rule_number    = 100 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = local.public_cidrs[count.index]
  from_port      = var.container_port
  to_port        = var.container_port
}

# Answers to the tasks' own connections: AWS APIs and SES through NAT, PostgreSQL, Redis.
resource "aws_network_acl_rule" "private_in_ephemeral" {
  count = length(local.ephemeral_ranges)

  network_acl_id = aws_network_acl.private.id
  rule_number    = 200 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = local.ephemeral_ranges[count.index].from
  to_port        = local.ephemeral_ranges[count.index].to
}

resource "aws_network_acl_rule" "private_out_all" {
  network_acl_id = aws_network_acl.private.id
  rule_number    = 100
  egress         = true
  protocol       = "-1"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 0
  to_port        = 0
}

resource "aws_network_acl" "database" {
  vpc_id     = aws_vpc.this.id
  subnet_ids = aws_subnet.database[*].id

  tags = { Name = "${var.name}-database" }
}

locals {
  # Who may open connections to the database tier: the tasks (private) and the bastion (public).
  database_clients = concat(local.private_cidrs, local.public_cidrs)
  database_ports   = { postgres = 5432, redis = 6379 }
  database_client_rules = merge([
    for i, cidr in local.database_clients : {
      for svc, port in local.database_ports : "${svc}-${i}" => { cidr = cidr, port = port }
    }
  ]...)
  database_client_rule_keys = sort(keys(local.database_client_rules))
}

resource "aws_network_acl_rule" "database_in_clients" {
  count = length(local.database_client_rule_keys)

  network_acl_id = aws_network_acl.database.id
  rule_number    = 100 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = local.database_client_rules[local.database_client_rule_keys[count.index]].cidr
  from_port      = local.database_client_rules[local.database_client_rule_keys[count.index]].port
  to_port        = local.database_client_rules[local.database_client_rule_keys[count.index]].port
}

# Replication inside the tier (RDS standby and read replica, Redis replicas).
resource "aws_network_acl_rule" "database_in_tier" {
  count = local.az_count

  network_acl_id = aws_network_acl.database.id
  rule_number    = 200 + count.index
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = local.database_cidrs[count.index]
  from_port      = 1024
  to_port        = 65535
}

resource "aws_network_acl_rule" "database_out_clients" {
  count = length(local.database_clients)

  network_acl_id = aws_network_acl.database.id
  rule_number    = 100 + count.index
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = local.database_clients[count.index]
  from_port      = 1024
  to_port        = 65535
}

resource "aws_network_acl_rule" "database_out_tier" {
  count = local.az_count

  network_acl_id = aws_network_acl.database.id
  rule_number    = 200 + count.index
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = local.database_cidrs[count.index]
  from_port      = 1024
  to_port        = 65535
}

# ---- VPC flow logs ------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "flow_logs" {
  #checkov:skip=CKV_AWS_338:Retention follows the issue's log policy (7 days in production, less in staging), not one year
  name              = local.flow_log_group
  retention_in_days = var.flow_log_retention_days
  kms_key_id        = var.kms_key_arn
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "${var.name}-vpc-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json
}

data "aws_iam_policy_document" "flow_logs" {
  statement {
    sid       = "WriteTheFlowLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "write-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs.json
}

resource "aws_flow_log" "this" {
  vpc_id                   = aws_vpc.this.id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 600

  tags = { Name = "${var.name}-flow-logs" }
}
