# The README's two commands. VENV defaults to .venv in the clone.
VENV ?= .venv
export HF_HUB_OFFLINE ?= 1

.PHONY: demo test install install-dev readme pages lab-check benchmark
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

benchmark:               ## every sweep behind nbs/peers/06_benchmark (resumable), then the pages' slow cells, which refresh nbs/results/ (wall time: nbs/peers/06_benchmark)
	for g in peers_nyud peers_pascal table4_nyud table4_pascal peers2_nyud peers2_pascal; do $(VENV)/bin/langsam_sweep grids/$$g.yaml --out $$($(VENV)/bin/python -c "from langsam_nb.core import cache_dir; print(cache_dir('sweeps', '$$g'))") --jobs 2 --threads 1 || exit 1; done
	OMP_NUM_THREADS=1 $(VENV)/bin/nbdev_test --path nbs/peers/03_comparison.ipynb --flags slow
	OMP_NUM_THREADS=1 $(VENV)/bin/nbdev_test --path nbs/12_ablations.ipynb --flags slow
	OMP_NUM_THREADS=1 $(VENV)/bin/nbdev_test --path nbs/peers/06_benchmark.ipynb --flags slow
