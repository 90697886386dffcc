variable "path" {
  description = "Parameter path, e.g. /calndr/staging."
  type        = string
}

variable "kms_key_arn" {
  description = "Key of the SecureStrings."
  type        = string
}

variable "database_url" {
  description = "postgres:// URL of the primary."
  type        = string
  sensitive   = true
}

variable "database_owner_url" {
  description = "postgres:// URL of the primary as the schema owner (the RDS master user)."
  type        = string
  sensitive   = true
}

variable "has_read_replica" {
  description = "Whether database_read_url is given (a plain bool: it decides a count at plan time)."
  type        = bool
}

variable "database_read_url" {
  description = "postgres:// URL of the read replica."
  type        = string
  default     = null
  sensitive   = true
}

variable "redis_url" {
  description = "rediss:// URL of ElastiCache."
  type        = string
  sensitive   = true
}

variable "initial_jwt_secret" {
  description = "First value of the token secret (operators replace it; Terraform ignores it afterwards)."
  type        = string
  sensitive   = true
}

variable "provider_secrets" {
  description = "Provider secret parameters an operator has set (apple_private_key, apns_private_key, facebook_app_secret, google_places_api_key, google_client_ids): only these reach the tasks."
  type        = set(string)
  default     = []

  validation {
    condition = alltrue([for s in var.provider_secrets : contains([
      "apple_private_key", "apns_private_key", "facebook_app_secret", "google_places_api_key", "google_client_ids",
    ], s)])
    error_message = "provider_secrets names parameters among apple_private_key, apns_private_key, facebook_app_secret, google_places_api_key and google_client_ids."
  }
}
