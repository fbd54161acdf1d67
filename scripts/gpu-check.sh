#!/usr/bin/env bash
# The one short, prepared run on a CUDA machine (issue 4): the CUDA cases of the corpus test, every
# correct style and a few wrong ones graded on CUDA only (float16/bfloat16 included), the results in
# $OUT (or build/gpu-check). Needs a Python with torch (CUDA), pytest, hypothesis, safetensors and rich
# (a CUDA image's python3 has them); nbformat/nbgrader are not needed. Usage, from the repo root:
#     bash scripts/gpu-check.sh            # PYTHON=... to choose the interpreter
set -uo pipefail
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
PY=${PYTHON:-python3}
OUT=${OUT:-build/gpu-check}
mkdir -p "$OUT" build/gpu-check-subs
"$PY" -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(),
      torch.cuda.get_device_name(0) if torch.cuda.is_available() else '-')" | tee "$OUT/device.txt"
"$PY" -m pytest -q -p no:cacheprovider -m cuda tests/test_corpus.py -o addopts="" 2>&1 | tee "$OUT/pytest-cuda.txt"
status=${PIPESTATUS[0]}
# the hidden graders themselves, on CUDA only, against the reference solution (every test must pass)
"$PY" -m pytest autograder/graders --submission tests/corpus/correct/vectorised.py --device cuda -q \
  -p no:cacheprovider -o addopts="" 2>&1 | tee "$OUT/graders-cuda.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
if ! "$PY" -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else 1)"; then
  echo "no CUDA device here: the CUDA tests skipped, nothing graded on CUDA" | tee "$OUT/grades-cuda.txt"
  exit "$status"
fi
for f in tests/corpus/correct/*.py; do cp "$f" build/gpu-check-subs/; done
for w in oh_indexes_the_table bwd_always_float32 bwd_padding_zero_is_falsy rn_missing_eps mod_max_norm_ignored oh_calls_F_embedding oh_wraps_negative_indices; do
  [ -f "tests/corpus/wrong/$w.py" ] && cat tests/corpus/correct/vectorised.py "tests/corpus/wrong/$w.py" > "build/gpu-check-subs/wrong_$w.py"
done
{
  for f in build/gpu-check-subs/*.py; do
    score=$("$PY" -m autograder grade "$f" --device cuda --format json 2>>"$OUT/grade-stderr.txt" |
            "$PY" -c "import json,sys; d=json.load(sys.stdin); print(d['score'], {p: round(v['score'], 2) for p, v in d['parts'].items()})")
    echo "$(basename "$f" .py): $score"
  done
} | tee "$OUT/grades-cuda.txt"
echo "correct styles must read 100.0; wrong_* must read less" | tee -a "$OUT/grades-cuda.txt"
exit "$status"
