"`python -m langsam_nb [args]` is `langsam_train`; `python -m langsam_nb eval [args]` is `langsam_eval` (see nbs/11d_cli.ipynb)."
from langsam_nb.cli import main
if __name__ == '__main__': main()
