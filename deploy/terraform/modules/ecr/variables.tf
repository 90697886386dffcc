variable "name" {
  description = "Repository name, e.g. calndr-staging."
  type        = string
}

variable "kms_key_arn" {
  description = "Key that encrypts the images."
  type        = string
}

variable "images_to_keep" {
  description = "How many images to keep; older ones expire (keep enough to roll back)."
  type        = number
  default     = 30
}

variable "untagged_image_days" {
  description = "Days before untagged images expire."
  type        = number
  default     = 7
}

variable "force_delete" {
  description = "Let `terraform destroy` delete a repository that still holds images (staging only)."
  type        = bool
  default     = false
}
