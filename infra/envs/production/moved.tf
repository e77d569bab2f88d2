# State moves of the refactoring into infra/stacks/platform (issue 10): every
# module call the env root made itself is now made by module.platform. With these
# blocks `terraform plan` moves each object in state instead of destroying and
# re-creating it. Both env roots read this one file (sandbox/moved.tf links here):
# their states have the same addresses, except that the sandbox counted xray and
# budget ([0]) where production did not; the two-step chains serve both.
# Keep the file until every state of both envs has been planned and applied once.

moved {
  from = module.kms
  to   = module.platform.module.kms
}

moved {
  from = module.network
  to   = module.platform.module.network
}

moved {
  from = module.security_groups
  to   = module.platform.module.security_groups
}

moved {
  from = module.endpoints
  to   = module.platform.module.endpoints
}

moved {
  from = module.storage
  to   = module.platform.module.storage
}

moved {
  from = module.secrets
  to   = module.platform.module.secrets
}

moved {
  from = module.iam
  to   = module.platform.module.iam
}

moved {
  from = module.ecr
  to   = module.platform.module.ecr
}

moved {
  from = module.alb
  to   = module.platform.module.alb
}

moved {
  from = module.ecs
  to   = module.platform.module.ecs
}

moved {
  from = module.autoscaling
  to   = module.platform.module.autoscaling
}

moved {
  from = module.rds
  to   = module.platform.module.rds
}

moved {
  from = module.redis
  to   = module.platform.module.redis
}

moved {
  from = module.monitoring
  to   = module.platform.module.monitoring
}

# production: module.xray (no count) -> module.xray[0]; the sandbox state starts at [0].
moved {
  from = module.xray
  to   = module.xray[0]
}

moved {
  from = module.xray[0]
  to   = module.platform.module.xray[0]
}

moved {
  from = module.cloudtrail
  to   = module.platform.module.cloudtrail
}

# production: module.budget (no count) -> module.budget[0]; the sandbox state starts at [0].
moved {
  from = module.budget
  to   = module.budget[0]
}

moved {
  from = module.budget[0]
  to   = module.platform.module.budget[0]
}
