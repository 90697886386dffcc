# ECS on Fargate: the cluster, the task definitions and the API service with auto scaling.
#
# Two task definition families share the image, the environment and the secrets:
#   <name>          `calndr serve` behind the ALB (the service)
#   <name>-migrate  `calndr migrate`, run once per deployment as a one-off task before the service
#                   is moved to the new revision (see .github/workflows/deploy.yml)
#   <name>-worker   `calndr worker`, a service without a load balancer that delivers the queued
#                   pushes and e-mails (the API tasks then run with CALNDR_INPROCESS_WORKER=false)
#
# Terraform registers new revisions; the deploy workflow decides when the service switches to
# them (after the migration), so the service ignores changes of its task_definition here.
# Old revisions stay registered (skip_destroy) so a rollback can point the service back at them.

locals {
  container_name = "calndr"
  # With a dedicated worker service the API tasks leave the job queue to it.
  app_env = merge(var.environment, var.worker_count > 0 ? { CALNDR_INPROCESS_WORKER = "false" } : {})
  environment = [
    for k in sort(keys(local.app_env)) : { name = k, value = local.app_env[k] }
  ]
  secrets = [
    for k in sort(keys(var.secrets)) : { name = k, valueFrom = var.secrets[k] }
  ]
  migrate_secret_map = merge(var.secrets, var.migrate_secrets)
  migrate_secrets = [
    for k in sort(keys(local.migrate_secret_map)) : { name = k, valueFrom = local.migrate_secret_map[k] }
  ]
  log_options = {
    "awslogs-group"         = aws_cloudwatch_log_group.app.name
    "awslogs-region"        = var.aws_region
    "mode"                  = "non-blocking"
    "max-buffer-size"       = "25m"
    "awslogs-stream-prefix" = "serve"
  }
  uploads_volume = "uploads"
}

# ---- logs ---------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "app" {
  #checkov:skip=CKV_AWS_338:Retention follows the issue's log policy (7 days in production, less in staging), not one year
  name              = "/ecs/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

resource "aws_cloudwatch_log_group" "exec" {
  #checkov:skip=CKV_AWS_338:Retention follows the issue's log policy (7 days in production, less in staging), not one year
  name              = "/ecs/${var.name}/exec"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.kms_key_arn
}

# ---- cluster ------------------------------------------------------------------------------------

resource "aws_ecs_cluster" "this" {
  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  configuration {
    execute_command_configuration {
      kms_key_id = var.kms_key_arn
      logging    = "OVERRIDE"

      log_configuration {
        cloud_watch_encryption_enabled = true
        cloud_watch_log_group_name     = aws_cloudwatch_log_group.exec.name
      }
    }
  }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    base              = 1
    weight            = 1
  }
}

# ---- task definitions ---------------------------------------------------------------------------

resource "aws_ecs_task_definition" "app" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # Task-local scratch for profile photos (the root filesystem is read-only). It lives and dies
  # with the task: photos move to S3 with the object-storage adapter (see docs/operations.md).
  volume {
    name = local.uploads_volume
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = "${var.image_repository_url}:${var.image_tag}"
      essential              = true
      command                = ["serve"]
      readonlyRootFilesystem = true
      user                   = "65532:65532"
      stopTimeout            = var.stop_timeout
      environment            = local.environment
      secrets                = local.secrets
      portMappings = [
        { containerPort = var.container_port, hostPort = var.container_port, protocol = "tcp" }
      ]
      mountPoints = [
        { sourceVolume = local.uploads_volume, containerPath = "/var/lib/calndr/uploads", readOnly = false }
      ]
      ulimits = [
        { name = "nofile", softLimit = 65536, hardLimit = 65536 }
      ]
      healthCheck = {
        command     = ["CMD", "/usr/local/bin/calndr", "healthcheck", "--addr", "127.0.0.1:${var.container_port}"]
        interval    = 15
        timeout     = 5
        retries     = 3
        startPeriod = 15
      }
      logConfiguration = {
        logDriver = "awslogs"
        options   = local.log_options
      }
    }
  ])
}

resource "aws_ecs_task_definition" "migrate" {
  family                   = "${var.name}-migrate"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = 256
  memory                   = 512
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = "${var.image_repository_url}:${var.image_tag}"
      essential              = true
      command                = ["migrate"]
      readonlyRootFilesystem = true
      user                   = "65532:65532"
      environment            = local.environment
      secrets                = local.migrate_secrets
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.log_options, { "awslogs-stream-prefix" = "migrate" })
      }
    }
  ])
}

resource "aws_ecs_task_definition" "worker" {
  family                   = "${var.name}-worker"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.worker_cpu
  memory                   = var.worker_memory
  execution_role_arn       = var.execution_role_arn
  task_role_arn            = var.task_role_arn
  skip_destroy             = true

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = "${var.image_repository_url}:${var.image_tag}"
      essential              = true
      command                = ["worker"]
      readonlyRootFilesystem = true
      user                   = "65532:65532"
      stopTimeout            = var.stop_timeout
      environment            = local.environment
      secrets                = local.secrets
      ulimits = [
        { name = "nofile", softLimit = 65536, hardLimit = 65536 }
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.log_options, { "awslogs-stream-prefix" = "worker" })
      }
    }
  ])
}

# ---- service ------------------------------------------------------------------------------------

resource "aws_ecs_service" "app" {
  name                               = var.name
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.app.arn
  desired_count                      = var.desired_count
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 30
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  enable_execute_command             = false
  wait_for_steady_state              = false

  # A deployment whose tasks do not become healthy stops and returns to the last good revision.
  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # Production: on-demand Fargate only. Staging: one on-demand task, the rest mostly on Spot.
  dynamic "capacity_provider_strategy" {
    for_each = var.fargate_spot_weight > 0 ? [1] : []
    content {
      capacity_provider = "FARGATE"
      base              = 1
      weight            = 1
    }
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.fargate_spot_weight > 0 ? [1] : []
    content {
      capacity_provider = "FARGATE_SPOT"
      weight            = var.fargate_spot_weight
    }
  }

  dynamic "capacity_provider_strategy" {
    for_each = var.fargate_spot_weight > 0 ? [] : [1]
    content {
      capacity_provider = "FARGATE"
      weight            = 1
    }
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.ecs_sg_id]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = var.target_group_arn
    container_name   = local.container_name
    container_port   = var.container_port
  }

  lifecycle {
    # task_definition: moved by the deploy workflow after the migration task succeeded.
    # desired_count: owned by auto scaling.
    ignore_changes = [task_definition, desired_count]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

# The worker: claims with FOR UPDATE SKIP LOCKED, so any number of tasks may run side by side.
# It has no port; ECS replaces a task whose process exits.
resource "aws_ecs_service" "worker" {
  count                              = var.worker_count > 0 ? 1 : 0
  name                               = "${var.name}-worker"
  cluster                            = aws_ecs_cluster.this.id
  task_definition                    = aws_ecs_task_definition.worker.arn
  desired_count                      = var.worker_count
  platform_version                   = "LATEST"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  enable_ecs_managed_tags            = true
  propagate_tags                     = "SERVICE"
  enable_execute_command             = false
  wait_for_steady_state              = false

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  capacity_provider_strategy {
    capacity_provider = var.fargate_spot_weight > 0 ? "FARGATE_SPOT" : "FARGATE"
    weight            = 1
  }

  network_configuration {
    subnets          = var.private_subnet_ids
    security_groups  = [var.ecs_sg_id]
    assign_public_ip = false
  }

  lifecycle {
    # Moved by the deploy workflow after the migration, like the API service.
    ignore_changes = [task_definition]
  }

  depends_on = [aws_ecs_cluster_capacity_providers.this]
}

# ---- auto scaling -------------------------------------------------------------------------------

resource "aws_appautoscaling_target" "app" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.this.name}/${aws_ecs_service.app.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = var.min_capacity
  max_capacity       = var.max_capacity
}

resource "aws_appautoscaling_policy" "cpu" {
  name               = "${var.name}-cpu"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.cpu_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}

resource "aws_appautoscaling_policy" "memory" {
  name               = "${var.name}-memory"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.app.service_namespace
  resource_id        = aws_appautoscaling_target.app.resource_id
  scalable_dimension = aws_appautoscaling_target.app.scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = var.memory_target_percent
    scale_in_cooldown  = 300
    scale_out_cooldown = 60

    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageMemoryUtilization"
    }
  }
}

# ---- weekly digest ------------------------------------------------------------------------------
# EventBridge runs `calndr digest` once a week as a one-off task of the worker's definition: the
# families' alert addresses get the coming week (custody, handoffs, events) by e-mail. The target
# names a revision, not the family: Terraform registers new revisions before the migration runs,
# so the deploy workflow moves the target to the new revision only after the migration passed
# (as it does the services), and Terraform ignores that change here.

resource "aws_cloudwatch_event_rule" "digest" {
  name                = "${var.name}-weekly-digest"
  description         = "Weekly digest e-mails (calndr digest)"
  schedule_expression = var.digest_schedule
}

resource "aws_cloudwatch_event_target" "digest" {
  rule     = aws_cloudwatch_event_rule.digest.name
  arn      = aws_ecs_cluster.this.arn
  role_arn = aws_iam_role.digest_events.arn

  ecs_target {
    task_definition_arn = aws_ecs_task_definition.worker.arn
    launch_type         = "FARGATE"
    platform_version    = "LATEST"
    task_count          = 1

    network_configuration {
      subnets          = var.private_subnet_ids
      security_groups  = [var.ecs_sg_id]
      assign_public_ip = false
    }
  }

  input = jsonencode({
    containerOverrides = [{ name = local.container_name, command = ["digest"] }]
  })

  lifecycle {
    ignore_changes = [ecs_target[0].task_definition_arn]
  }
}

data "aws_iam_policy_document" "digest_events_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "digest_events" {
  name               = "${var.name}-digest-events"
  assume_role_policy = data.aws_iam_policy_document.digest_events_assume.json
}

# Only: run the worker's task definition in this cluster, and hand it its two roles.
data "aws_iam_policy_document" "digest_events" {
  statement {
    actions   = ["ecs:RunTask"]
    resources = ["${aws_ecs_task_definition.worker.arn_without_revision}:*"]
    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [aws_ecs_cluster.this.arn]
    }
  }
  statement {
    actions   = ["iam:PassRole"]
    resources = [var.execution_role_arn, var.task_role_arn]
  }
}

resource "aws_iam_role_policy" "digest_events" {
  name   = "run-digest-task"
  role   = aws_iam_role.digest_events.id
  policy = data.aws_iam_policy_document.digest_events.json
}
