"""Themes learnt from the items a person has already themed.

An item's words are compared with those of every themed item of the other documents, as sets
of character pairs (Japanese has no spaces to cut words at), each pair weighted by how rare it
is among the examples, so that `協力` counts for little and `ウラン` for much. The most similar
example gives its theme if it is similar enough (`rules.THEME_SIMILARITY_MIN`); otherwise the
proposer falls back to the keyword rules. A few hundred examples take milliseconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import rules

NOISE = re.compile(r"[\s，。、「」（）『』・,.0-9０-９]")


def bigrams(text: str) -> frozenset[str]:
    """The text's pairs of adjacent characters, without punctuation and digits."""
    flat = NOISE.sub("", text)
    return frozenset(flat[i : i + 2] for i in range(len(flat) - 1))


@dataclass(frozen=True)
class Example:
    """A themed item: its words' pairs, its theme, and where it is (`caj-fmm5-2014 12.3`)."""

    pairs: frozenset[str]
    theme: str
    source: str


@dataclass
class ThemeExamples:
    """The themed items the proposer learns from."""

    examples: list[Example] = field(default_factory=list)
    weights: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_items(cls, items: Iterable[tuple[str, str, str]]) -> ThemeExamples:
        """From (words, theme slug, source) of each themed item."""
        examples = [Example(bigrams(words), theme, source) for words, theme, source in items]
        examples = [e for e in examples if e.pairs and e.theme]
        counts = Counter(pair for e in examples for pair in e.pairs)
        total = len(examples)
        weights = {pair: math.log((1 + total) / (1 + n)) + 1 for pair, n in counts.items()}
        return cls(examples, weights)

    def _weight(self, pairs: Iterable[str]) -> float:
        # A pair no example has is as rare as can be; it still counts against the match.
        rarest = math.log(1 + len(self.examples)) + 1
        return sum(self.weights.get(pair, rarest) for pair in pairs)

    def nearest(self, text: str) -> tuple[Example, float] | None:
        """The most similar example and its similarity (0–1, a cosine of weighted pair
        sets), or None when there are no examples or none shares a pair."""
        pairs = bigrams(text)
        if not pairs or not self.examples:
            return None
        own = self._weight(pairs)
        best, best_score = None, 0.0
        for example in self.examples:
            shared = pairs & example.pairs
            if not shared:
                continue
            score = self._weight(shared) / math.sqrt(own * self._weight(example.pairs))
            if score > best_score:
                best, best_score = example, score
        return (best, best_score) if best is not None else None

    def theme_of(self, text: str) -> tuple[str, str] | None:
        """(theme, source of the example) if an example is similar enough, else None."""
        found = self.nearest(text)
        if found is None or found[1] < rules.THEME_SIMILARITY_MIN:
            return None
        return found[0].theme, found[0].source
