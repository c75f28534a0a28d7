import os
import subprocess
import sys

import numpy as np
import pytest

from newsflow.dedup.text import NUMERIC, fold_text, shingle_hashes, token_hashes, tokens


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The colour of the harbour", "The color of the harbor"),
        ("Workers organised a strike and were paralysed", "Workers organized a strike and were paralyzed"),
        ("the city centre theatre", "the city center theater"),
        ("a 40 per cent rise", "a 40% rise"),
        ("a 40 percent rise", "a 40 pct rise"),
        ("about 22,000 workers", "about 22 000 workers"),
        ("costs $1.1bn a day", "costs $1.1 billion a day"),
        ("the U.S. economy", "the US economy"),
        ("the union’s president", "the union's president"),
        ("Café Müller", "cafe muller"),
        ("They travelled and cancelled", "They traveled and canceled"),
    ],
)
def test_house_style_variants_fold_to_the_same_tokens(a, b):
    assert tokens(a) == tokens(b)


def test_different_words_stay_different():
    assert tokens("the strike ended") != tokens("the strike began")
    assert tokens("40 percent") != tokens("14 percent")


def test_unspaced_scripts_are_tokenised_per_character_and_hangul_survives():
    assert tokens("東京都") == ["東", "京", "都"]
    korean = tokens("엘제이의 리벤지인가")
    assert korean == ["엘제이의", "리벤지인가"]  # NFKD would split syllables into jamo: recomposed


def test_fold_text_lowercases_and_strips_accents():
    assert fold_text("ÉCOLE Über") == "ecole uber"


def test_numeric_flag_marks_tokens_and_shingles_with_a_digit():
    hashes = token_hashes("profit rose 12 percent")
    assert [int(h & NUMERIC) for h in hashes] == [0, 0, 1, 0]
    shingles = shingle_hashes("profit rose 12 percent in the quarter", 2)
    flags = sorted(int(h & NUMERIC) for h in shingles)
    assert flags.count(1) == 2  # "rose 12", "12 percent"
    assert len(shingles) == 6


def test_shingles_are_sorted_unique_and_cover_short_texts():
    shingles = shingle_hashes("a b a b a b", 2)
    assert len(shingles) == 2 and np.all(np.diff(shingles.astype(np.float64)) > 0)
    assert len(shingle_hashes("two words", 4)) == 1
    assert len(shingle_hashes("", 4)) == 0
    with pytest.raises(ValueError):
        shingle_hashes("x", 0)


def test_hashes_do_not_depend_on_the_process_hash_seed():
    code = (
        "from newsflow.dedup.text import shingle_hashes;"
        "print(int(shingle_hashes('Dockworkers walked off the job at 29 terminals', 4).sum()))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        outputs.add(result.stdout.strip())
    assert len(outputs) == 1
    assert outputs == {str(int(shingle_hashes("Dockworkers walked off the job at 29 terminals", 4).sum()))}
