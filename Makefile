# Two commands do all set-up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Debian packages: headless Chromium + CJK fonts (e2e screenshots, PDFs with Chinese text); pango for WeasyPrint.
APT_PACKAGES := chromium fonts-noto-cjk fonts-wqy-zenhei libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-color-emoji
API_PORT ?= 8000
WEB_PORT ?= 8080
MOTO_PORT ?= 5000
export AWS_DEFAULT_REGION ?= cn-north-1

.PHONY: bootstrap apt venv frontend run test test-fast bench soak bench-ui package checkov lint recount redrive totp clean

bootstrap: apt venv frontend

apt:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "apt: installing$$missing"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing) >/dev/null; fi

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

frontend:
	@if [ -f frontend/package.json ]; then \
	  cd frontend && { [ -d node_modules ] && [ node_modules/.stamp -nt package-lock.json ] || { npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.stamp; }; } && \
	  { [ -f dist/index.html ] && [ -z "$$(find src index.html package.json vite.config.* -newer dist/index.html 2>/dev/null | head -1)" ] || npm run build --silent; }; fi

run: bootstrap
	$(PY) -m infra.local_stack --api-port $(API_PORT) --web-port $(WEB_PORT) --moto-port $(MOTO_PORT) $(if $(RESET),--reset,) $(if $(SWEEP_EVERY),--sweep-every $(SWEEP_EVERY),)

PY_SOURCES := chalicelib app.py infra tests bench

# Gates first (seconds), then the suites: unit, integration and API tests on two workers (each its
# own emulator), the browser suites on one (each starts the whole local stack).
test: bootstrap lint
	cd frontend && npm run typecheck --silent && npm test --silent
	$(PY) -m pytest -q -p no:cacheprovider -n 2 --durations=5 tests/unit tests/integration tests/api
	$(PY) -m pytest -q -p no:cacheprovider --durations=5 tests/e2e

test-fast: venv
	$(PY) -m pytest -q -x -p no:cacheprovider tests/unit tests/integration tests/api

lint: venv
	$(VENV)/bin/ruff check $(PY_SOURCES)
	$(VENV)/bin/ruff format --check $(PY_SOURCES)
	$(VENV)/bin/mypy
	$(VENV)/bin/bandit -q -r chalicelib app.py infra bench -ll  # medium/high findings fail; each nosec gives its reason (docs/security.md)

bench: bootstrap
	$(PY) -m bench $(if $(QUICK),--quick,)

soak: bootstrap
	$(PY) -m bench.soak --minutes $(if $(QUICK),2,10) $(if $(QUICK),--sample-every 15,)

# Lambda's python3.11 runtime can no longer be created (deprecated 2026-06-30), so the deployment
# package is built by a separate venv on a supported Python: its wheels and Runtime match Lambda's.
PACKAGE_PYTHON ?= $(firstword $(wildcard /root/.pyenv/versions/3.13*/bin/python3.13 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.13 /usr/bin/python3.12))
bench-ui: bootstrap
	$(PY) -m pytest -q -s -p no:cacheprovider tests/e2e/perf_inbox.py

# STAGE=prod-cn (aws-cn) or dev (aws): chalice's SAM output, split per surface and least-privileged by
# infra/package.py (docs/deploy.md), linted for both China regions and one global region.
STAGE ?= prod-cn
package: venv
	@test -n "$(PACKAGE_PYTHON)" || { echo "make package needs python3.12 or python3.13 (PACKAGE_PYTHON=...)"; exit 1; }
	test -x .venv-pkg/bin/chalice || { $(PACKAGE_PYTHON) -m venv .venv-pkg && .venv-pkg/bin/pip install -q --disable-pip-version-check -r requirements.txt; }
	rm -rf out && .venv-pkg/bin/chalice package --stage $(STAGE) --merge-template infra/resources.yaml out/
	$(PY) -m infra.package out/sam.yaml --stage $(STAGE)
	$(VENV)/bin/cfn-lint --regions cn-north-1 cn-northwest-1 us-east-1 -- out/sam.yaml

# checkov (slow, so not part of `make test`): its own venv, offline; suppressions carry their reason in the
# template (docs/deploy.md, "checkov").
CHECKOV_VENV ?= /work/.venv-checkov
checkov: package
	test -x $(CHECKOV_VENV)/bin/checkov || { python3 -m venv $(CHECKOV_VENV) && $(CHECKOV_VENV)/bin/pip install -q checkov; }
	$(CHECKOV_VENV)/bin/checkov -f out/sam.yaml --framework cloudformation --quiet --compact --skip-download


recount: venv
	$(PY) -m infra.recount $(MONTH) --moto-endpoint http://127.0.0.1:$(MOTO_PORT)

# Stream batches the handlers gave up on: the local dead-letter files (make run up), or the cloud DLQ's
# pointers with QUEUE_URL=… and the stage's environment (docs/operations.md, "Redrive").
redrive: venv
	$(PY) -m infra.redrive $(if $(QUEUE_URL),--queue-url $(QUEUE_URL),--moto-endpoint http://127.0.0.1:$(MOTO_PORT))

# The current TOTP code of a demo user (second login step, R-SEC-06): make totp USER=op1
totp: venv
	@$(PY) -m infra.totp $(USER)

clean:
	rm -rf out .pytest_cache
