# Alarms to an SNS topic with e-mail subscriptions, and one dashboard. The seed's alarms:
#   ECS CPU > 80 %, ECS memory > 80 %
#   RDS CPU > 80 %, RDS connections > 80 % of max_connections, RDS read/write latency > 200 ms
#   ALB 5xx rate > 5 % (metric math over target and load-balancer 5xx and the request count)
#   unhealthy hosts > 0
# plus the Route 53 health check of /ready (its metric exists only in us-east-1) and Redis
# CPU and memory.

locals {
  alarm_actions = [aws_sns_topic.alarms.arn]
  ecs_dimensions = {
    ClusterName = var.ecs_cluster_name
    ServiceName = var.ecs_service_name
  }
  route53_metrics_here = var.aws_region == "us-east-1"
}

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

data "aws_iam_policy_document" "alarms_topic" {
  statement {
    sid       = "CloudWatchAlarmsOfThisAccount"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms.arn]
    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  arn    = aws_sns_topic.alarms.arn
  policy = data.aws_iam_policy_document.alarms_topic.json
}

# Each address receives a confirmation mail; alarms reach it only after the link is followed.
resource "aws_sns_topic_subscription" "email" {
  for_each = toset(var.alarm_emails)

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# ---- ECS ----------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "ecs_cpu" {
  alarm_name          = "${var.name}-ecs-cpu-high"
  alarm_description   = "API tasks use more than 80 % CPU on average (auto scaling should be adding tasks)"
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = local.ecs_dimensions
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "ecs_memory" {
  alarm_name          = "${var.name}-ecs-memory-high"
  alarm_description   = "API tasks use more than 80 % of their memory on average"
  namespace           = "AWS/ECS"
  metric_name         = "MemoryUtilization"
  dimensions          = local.ecs_dimensions
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# ---- RDS ----------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "rds_cpu" {
  for_each = toset(var.db_instance_identifiers)

  alarm_name          = "${each.value}-rds-cpu-high"
  alarm_description   = "PostgreSQL ${each.value} uses more than 80 % CPU"
  namespace           = "AWS/RDS"
  metric_name         = "CPUUtilization"
  dimensions          = { DBInstanceIdentifier = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "rds_connections" {
  for_each = toset(var.db_instance_identifiers)

  alarm_name          = "${each.value}-rds-connections-high"
  alarm_description   = "PostgreSQL ${each.value} has more than 80 % of max_connections (${var.db_max_connections}) open"
  namespace           = "AWS/RDS"
  metric_name         = "DatabaseConnections"
  dimensions          = { DBInstanceIdentifier = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "GreaterThanThreshold"
  threshold           = floor(var.db_max_connections * 0.8)
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "rds_read_latency" {
  for_each = toset(var.db_instance_identifiers)

  alarm_name          = "${each.value}-rds-read-latency-high"
  alarm_description   = "PostgreSQL ${each.value} disk reads take more than 200 ms on average"
  namespace           = "AWS/RDS"
  metric_name         = "ReadLatency"
  dimensions          = { DBInstanceIdentifier = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.2 # seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "rds_write_latency" {
  for_each = toset(var.db_instance_identifiers)

  alarm_name          = "${each.value}-rds-write-latency-high"
  alarm_description   = "PostgreSQL ${each.value} disk writes take more than 200 ms on average"
  namespace           = "AWS/RDS"
  metric_name         = "WriteLatency"
  dimensions          = { DBInstanceIdentifier = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.2 # seconds
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# ---- ALB ----------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  alarm_name          = "${var.name}-alb-5xx-rate-high"
  alarm_description   = "More than 5 % of requests answered 5xx (by the tasks or by the ALB) over 5 minutes"
  comparison_operator = "GreaterThanThreshold"
  threshold           = 5
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, 100 * (FILL(target5xx, 0) + FILL(elb5xx, 0)) / requests, 0)"
    label       = "5xx responses (%)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "target5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }

  metric_query {
    id = "elb5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.alb_arn_suffix }
      period      = 60
      stat        = "Sum"
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${var.name}-unhealthy-hosts"
  alarm_description   = "At least one API task fails the ALB's /ready health check"
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.alb_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# ---- Route 53 health check ----------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "route53_health" {
  count = local.route53_metrics_here ? 1 : 0

  alarm_name          = "${var.name}-api-unreachable"
  alarm_description   = "Route 53 health checkers cannot get 200 from https://${var.domain_name}/ready"
  namespace           = "AWS/Route53"
  metric_name         = "HealthCheckStatus"
  dimensions          = { HealthCheckId = var.route53_health_check_id }
  statistic           = "Minimum"
  period              = 60
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# ---- Redis --------------------------------------------------------------------------------------

resource "aws_cloudwatch_metric_alarm" "redis_cpu" {
  for_each = toset(var.redis_node_ids)

  alarm_name          = "${each.value}-redis-cpu-high"
  alarm_description   = "Redis ${each.value} engine thread above 80 % CPU"
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  dimensions          = { CacheClusterId = each.value }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "redis_memory" {
  for_each = toset(var.redis_node_ids)

  alarm_name          = "${each.value}-redis-memory-high"
  alarm_description   = "Redis ${each.value} uses more than 80 % of its memory"
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { CacheClusterId = each.value }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  comparison_operator = "GreaterThanThreshold"
  threshold           = 80
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# ---- dashboard ----------------------------------------------------------------------------------

locals {
  alb_dims = ["LoadBalancer", var.alb_arn_suffix]
  widgets = [
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = {
        title  = "Requests and 5xx"
        region = var.aws_region
        stat   = "Sum"
        period = 60
        metrics = [
          concat(["AWS/ApplicationELB", "RequestCount"], local.alb_dims),
          concat(["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"], local.alb_dims),
          concat(["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"], local.alb_dims),
          concat(["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count"], local.alb_dims),
        ]
      }
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = {
        title  = "Response time (p50, p95, p99)"
        region = var.aws_region
        period = 60
        metrics = [
          concat(["AWS/ApplicationELB", "TargetResponseTime"], local.alb_dims, [{ stat = "p50" }]),
          concat(["AWS/ApplicationELB", "TargetResponseTime"], local.alb_dims, [{ stat = "p95" }]),
          concat(["AWS/ApplicationELB", "TargetResponseTime"], local.alb_dims, [{ stat = "p99" }]),
        ]
      }
    },
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title  = "ECS CPU and memory (%)"
        region = var.aws_region
        stat   = "Average"
        period = 60
        metrics = [
          ["AWS/ECS", "CPUUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", var.ecs_service_name],
          ["AWS/ECS", "MemoryUtilization", "ClusterName", var.ecs_cluster_name, "ServiceName", var.ecs_service_name],
        ]
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title  = "Healthy and unhealthy tasks"
        region = var.aws_region
        stat   = "Maximum"
        period = 60
        metrics = [
          ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", var.target_group_arn_suffix, "LoadBalancer", var.alb_arn_suffix],
          ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", var.target_group_arn_suffix, "LoadBalancer", var.alb_arn_suffix],
        ]
      }
    },
    {
      type = "metric", x = 0, y = 12, width = 8, height = 6
      properties = {
        title   = "RDS CPU (%)"
        region  = var.aws_region
        stat    = "Average"
        period  = 60
        metrics = [for id in var.db_instance_identifiers : ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", id]]
      }
    },
    {
      type = "metric", x = 8, y = 12, width = 8, height = 6
      properties = {
        title   = "RDS connections (max ${var.db_max_connections})"
        region  = var.aws_region
        stat    = "Maximum"
        period  = 60
        metrics = [for id in var.db_instance_identifiers : ["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", id]]
      }
    },
    {
      type = "metric", x = 16, y = 12, width = 8, height = 6
      properties = {
        title  = "RDS read/write latency (s)"
        region = var.aws_region
        stat   = "Average"
        period = 60
        # concat(list...) joins the per-instance pairs; flatten would also flatten each metric.
        metrics = concat([], [for id in var.db_instance_identifiers : [
          ["AWS/RDS", "ReadLatency", "DBInstanceIdentifier", id],
          ["AWS/RDS", "WriteLatency", "DBInstanceIdentifier", id],
        ]]...)
      }
    },
    {
      type = "metric", x = 0, y = 18, width = 12, height = 6
      properties = {
        title  = "Redis engine CPU and memory (%)"
        region = var.aws_region
        stat   = "Average"
        period = 60
        metrics = concat([], [for id in var.redis_node_ids : [
          ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", id],
          ["AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "CacheClusterId", id],
        ]]...)
      }
    },
    {
      type = "log", x = 12, y = 18, width = 12, height = 6
      properties = {
        title  = "Recent errors"
        region = var.aws_region
        query  = "SOURCE '${var.app_log_group_name}' | fields @timestamp, level, message, error | filter level = 'ERROR' | sort @timestamp desc | limit 50"
        view   = "table"
      }
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}

# ---- slow queries -------------------------------------------------------------------------------
# PostgreSQL logs every statement slower than log_min_duration_statement ("duration: N ms
# statement: ...") to the instance's postgresql log group; count them, and alarm when more than
# slow_query_alarm_count arrive in five minutes.

resource "aws_cloudwatch_log_metric_filter" "slow_queries" {
  for_each = toset(var.db_instance_identifiers)

  name           = "${each.value}-slow-queries"
  log_group_name = "/aws/rds/instance/${each.value}/postgresql"
  pattern        = "\"duration:\""

  metric_transformation {
    name          = "SlowQueries"
    namespace     = "Calndr/${var.name}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "slow_queries" {
  for_each = toset(var.db_instance_identifiers)

  alarm_name          = "${each.value}-slow-queries"
  alarm_description   = "More than ${var.slow_query_alarm_count} statements slower than the slow-query threshold on ${each.value} in 5 minutes (see its postgresql log group)"
  namespace           = "Calndr/${var.name}"
  metric_name         = aws_cloudwatch_log_metric_filter.slow_queries[each.value].metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.slow_query_alarm_count
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
