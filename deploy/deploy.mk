# deploy/deploy.mk — static checks of the deployment files. The root Makefile includes this file
# (and `make test` depends on deploy-check); it also runs alone from the repository root:
#
#   make -f deploy/deploy.mk deploy-check
#
# Needs python3 (with venv) and PyPI; terraform is optional. Paths are relative to the repo root.

DEPLOY_PYTHON   ?= python3
DEPLOY_VENV     ?= .venv
CHECKOV_VERSION ?= 3.3.30
CHECKOV_STAMP   := $(DEPLOY_VENV)/.checkov-$(CHECKOV_VERSION).installed
CHECKOV         := $(DEPLOY_VENV)/bin/checkov
TERRAFORM       ?= terraform
TERRAFORM_DIR   := deploy/terraform

.PHONY: deploy-check deploy-files-check terraform-fmt-check checkov checkov-venv

deploy-check: terraform-fmt-check deploy-files-check checkov ## Deployment checks: terraform fmt, compose health checks, checkov (0 failed)

# Installed once; the stamp names the version, so changing CHECKOV_VERSION reinstalls.
checkov-venv: $(CHECKOV_STAMP)

$(CHECKOV_STAMP):
	@echo "deploy-check: installing checkov $(CHECKOV_VERSION) from PyPI into $(DEPLOY_VENV)/ (once, about a minute)"
	@test -x $(DEPLOY_VENV)/bin/python || $(DEPLOY_PYTHON) -m venv $(DEPLOY_VENV)
	@$(DEPLOY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check "checkov==$(CHECKOV_VERSION)"
	@rm -f $(DEPLOY_VENV)/.checkov-*.installed
	@touch $@

terraform-fmt-check:
	@if command -v $(TERRAFORM) >/dev/null 2>&1; then \
		env -u TF_CLI_CONFIG_FILE $(TERRAFORM) fmt -check -recursive -diff $(TERRAFORM_DIR) \
			|| { echo "deploy-check: terraform fmt -check failed (unformatted files or a syntax error, above); fix with: terraform fmt -recursive $(TERRAFORM_DIR)" >&2; exit 1; }; \
		echo "deploy-check: terraform fmt -check: clean"; \
	else \
		echo "deploy-check: terraform is not installed: SKIPPING terraform fmt -check (CI runs it)"; \
	fi

deploy-files-check: $(CHECKOV_STAMP)
	@$(DEPLOY_VENV)/bin/python deploy/check-deploy.py .

# Offline: --skip-download keeps checkov from calling the Prisma Cloud API. Exit status is non-zero
# on any failed check; every skip is a `#checkov:skip=ID:reason` comment beside its resource.
checkov: $(CHECKOV_STAMP)
	@echo "deploy-check: checkov $(CHECKOV_VERSION) over $(TERRAFORM_DIR) and deploy/Dockerfile (failed checks are listed below)"
	@BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
		$(CHECKOV) --directory $(TERRAFORM_DIR) --framework terraform \
		--skip-path '/\.terraform/' --skip-download --quiet --compact
	@BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false \
		$(CHECKOV) --file deploy/Dockerfile --framework dockerfile --skip-download --quiet --compact
	@echo "deploy-check: checkov: no failed checks"
