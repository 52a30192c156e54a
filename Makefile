# The README's two commands. VENV defaults to .venv in the clone.
VENV ?= .venv
export HF_HUB_OFFLINE ?= 1

.PHONY: demo test install install-dev readme pages lab-check
demo: install            ## install, then run the main job on CPU
	$(VENV)/bin/langsam_train

test: install-dev        ## install with dev extras, then run every notebook's tests
	OMP_NUM_THREADS=1 $(VENV)/bin/nbdev_test --timing

install:
	bash tools/install.sh

install-dev:
	bash tools/install.sh dev

readme:                  ## regenerate README.md from nbs/index.ipynb (no Quarto needed)
	$(VENV)/bin/python tools/make_readme.py

pages:                   ## offline HTML build (math by KaTeX) of the notebooks into _site, checked in headless Chromium; needs node and chromium (apt-get install -y chromium)
	@[ -d tools/katex/node_modules/katex ] || [ -d /usr/share/javascript/katex ] || npm ci --prefix tools/katex --ignore-scripts --no-audit --no-fund
	$(VENV)/bin/python tools/build_html.py _site
	CHROMIUM=$(CHROMIUM) $(VENV)/bin/python tools/check_pages.py _site

lab-check:               ## the routing explorer (nbs/13_explorer) run live in JupyterLab, checked and screenshot in headless Chromium
	CHROMIUM=$(CHROMIUM) $(VENV)/bin/python tools/check_lab.py
