#!/usr/bin/env python
"""Execute notebooks in place, so that their stored outputs are the page (nbdev's docs build does not execute).

Cells flagged `#| slow` (or another flag of settings.ini's tst_flags) are skipped unless `--flags` names the flag, and
keep the outputs they had: their results are read by the cells after them from nbs/results/. Cells with `#| eval: false`
are never run. Runs with IN_TEST=1 (progress bars silent), HF_HUB_OFFLINE=1, in the notebook's folder; then
`nbdev_clean` strips the metadata. Usage: python tools/run_nb.py nbs/12_ablations.ipynb [more.ipynb] [--flags slow]
"""
import argparse, os, re, subprocess, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

FLAG = re.compile(r'^\s*#\|\s*(\w+)\s*$')
EVAL_FALSE = re.compile(r'^\s*#\|\s*eval\s*:\s*false\s*$', re.M)

def flags(src:str) -> set:
    "The bare `#| flag` directives of a cell (slow, cuda, hide, export, ...)."
    return {m.group(1) for l in src.splitlines() if (m := FLAG.match(l))}

def run(path:Path, run_flags:set, timeout:int) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}})
    skipped, t0 = 0, time.time()
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != 'code' or EVAL_FALSE.search(cell.source): continue
            if {'slow', 'cuda'} & flags(cell.source) - run_flags: skipped += 1; continue
            client.execute_cell(cell, i)
    nbformat.write(nb, path)
    print(f"{path}: executed in {time.time() - t0:.0f} s ({skipped} flagged cell(s) kept their stored outputs)")

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('notebooks', nargs='+')
    p.add_argument('--flags', nargs='*', default=[], help="flagged cells to run too (e.g. slow)")
    p.add_argument('--timeout', type=int, default=3600, help="seconds per cell")
    a = p.parse_args()
    os.environ.update(IN_TEST='1', HF_HUB_OFFLINE='1', TRANSFORMERS_OFFLINE='1')
    for nbp in a.notebooks: run(Path(nbp).resolve(), set(a.flags), a.timeout)
    for nbp in a.notebooks: subprocess.run([str(Path(sys.executable).parent / 'nbdev_clean'), '--fname', nbp], check=True)
