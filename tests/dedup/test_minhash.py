import numpy as np
import pytest

from newsflow.dedup.minhash import MinHasher, overlap, overlaps
from newsflow.dedup.text import shingle_hashes

_VOCABULARY = """
    harbor union terminal strike cargo vessel crane automation contract mediator federal talks wages
    port container shipping retail imports electronics furniture clothing analysts estimate economy
    billion delay trucking railroad anchor bay exchange statement president reporters technology
    jobs handshake profits employers offer retraining guarantee layoff design robots ban length
    contract session cooling period
"""
WORDS = _VOCABULARY.split()


def text(seed: int, words: int = 400) -> str:
    rng = np.random.default_rng(seed)
    return " ".join(rng.choice(WORDS, words))


def exact_overlap(a: np.ndarray, b: np.ndarray) -> float:
    common = len(np.intersect1d(a, b))
    return common / min(len(a), len(b))


def test_same_text_same_summaries_and_different_seeds_differ():
    shingles = [shingle_hashes(text(1), 4)]
    a, b = MinHasher(24, 2, 64).sign(shingles), MinHasher(24, 2, 64).sign(shingles)
    assert np.array_equal(a.band_keys, b.band_keys) and np.array_equal(a.sketch, b.sketch)
    other = MinHasher(24, 2, 64, seed=7).sign(shingles)
    assert not np.array_equal(a.band_keys, other.band_keys)
    assert a.band_keys.dtype == np.uint32 and a.sketch.dtype == np.uint16 and a.band_keys.shape == (1, 24)


def test_overlap_estimates_track_the_exact_overlap():
    hasher = MinHasher(24, 2, 64)
    base = text(3, 800).split()
    cases = [
        (" ".join(base), " ".join(base[:400])),  # trimmed to half
        (" ".join(base[:400]), " ".join(base)),  # the other way round
        (" ".join(base), " ".join(base[:600] + text(4, 200).split())),  # two thirds plus other text
        (" ".join(base), text(5, 800)),  # unrelated
    ]
    for older, newer in cases:
        a, b = shingle_hashes(older, 4), shingle_hashes(newer, 4)
        sig = hasher.sign([a])
        estimate = overlap(sig.sketch[0], int(sig.used[0]), int(sig.tau[0]), b)
        assert abs(estimate - exact_overlap(a, b)) < 0.15, (estimate, exact_overlap(a, b))


def test_containment_not_jaccard_a_trimmed_copy_scores_high():
    full = text(11, 900)
    half = " ".join(full.split()[:450])
    a, b = shingle_hashes(full, 4), shingle_hashes(half, 4)
    jaccard = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    sig = MinHasher(24, 2, 64).sign([a])
    assert jaccard < 0.55
    assert overlap(sig.sketch[0], int(sig.used[0]), int(sig.tau[0]), b) > 0.9


def test_small_sets_are_compared_exactly():
    a = shingle_hashes("one two three four five six", 2)
    sig = MinHasher(4, 2, 64).sign([a])
    assert int(sig.used[0]) == len(a) == int(sig.size[0])
    assert overlap(sig.sketch[0], int(sig.used[0]), int(sig.tau[0]), a) == 1.0
    assert overlap(sig.sketch[0], int(sig.used[0]), int(sig.tau[0]), shingle_hashes("seven eight nine", 2)) == 0.0


def test_templated_stories_with_different_figures_are_vetoed():
    template = (
        "{c} on Tuesday reported quarterly net income of ${a} million. On a per-share basis the company said it had "
        "profit of {b} cents. Earnings adjusted for one-time gains and costs were {d} cents per share. The average "
        "estimate of {e} analysts surveyed by Zacks was for earnings of {f} cents per share. The company posted "
        "revenue of ${g} million in the period. {h} analysts expected ${i} million. For the year the company "
        "reported profit of ${j} million or ${k} per share. Shares have risen {m}% since the beginning of the year."
    )
    one = template.format(c="Acme", a=12, b=34, d=41, e=5, f=38, g=310, h=3, i=298, j=88, k="2.31", m=17)
    two = template.format(c="Acme", a=19, b=52, d=57, e=7, f=49, g=455, h=4, i=431, j=97, k="3.02", m=26)
    a, b = shingle_hashes(one, 4), shingle_hashes(two, 4)
    sig = MinHasher(24, 2, 64).sign([a])
    assert exact_overlap(a, b) > 0.3  # the words are largely shared
    assert overlap(sig.sketch[0], int(sig.used[0]), int(sig.tau[0]), b) < 0.3  # the figures are not
    assert overlap(sig.sketch[0], int(sig.used[0]), int(sig.tau[0]), a) == 1.0


def test_overlaps_is_vectorised_over_candidates():
    hasher = MinHasher(24, 2, 64)
    texts = [text(s, 300) for s in range(4)]
    sets = [shingle_hashes(t, 4) for t in texts]
    sig = hasher.sign(sets)
    newer = sets[2]
    many = overlaps(sig.sketch, sig.used, sig.tau, newer)
    one_by_one = [overlap(sig.sketch[i], int(sig.used[i]), int(sig.tau[i]), newer) for i in range(4)]
    assert many.tolist() == pytest.approx(one_by_one)
    assert many[2] == 1.0 and max(many[[0, 1, 3]]) < 0.2
    assert overlaps(sig.sketch[:0], sig.used[:0], sig.tau[:0], newer).shape == (0,)


def test_band_collision_probability_follows_the_s_curve():
    # Jaccard ~0.5 pairs nearly always share a band; unrelated texts share none.
    hasher = MinHasher(24, 2, 64)
    hits = 0
    for seed in range(30):
        words = text(100 + seed, 600).split()
        a = shingle_hashes(" ".join(words), 4)
        b = shingle_hashes(" ".join(words[:300] + text(500 + seed, 10).split()), 4)
        sig = hasher.sign([a, b])
        hits += bool(np.any(sig.band_keys[0] == sig.band_keys[1]))
    unrelated = hasher.sign([shingle_hashes(text(1000 + s, 400), 4) for s in range(30)]).band_keys
    shared = sum(bool(np.any(unrelated[i] == unrelated[j])) for i in range(30) for j in range(i + 1, 30))
    assert hits >= 28
    assert shared == 0
