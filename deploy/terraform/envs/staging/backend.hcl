# S3 state backend of the staging environment (the bucket and the lock table come from
# deploy/terraform/bootstrap). Pass the bucket name on the command line; see versions.tf.
key            = "calndr/staging/terraform.tfstate"
region         = "us-east-1"
dynamodb_table = "calndr-terraform-locks"
encrypt        = true
