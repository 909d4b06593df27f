"""Words that never repeat, as a crawl's long tail of names, numbers and
typos: the input of the soaks of `annotate` and `serve`."""

import json
from pathlib import Path
from typing import Dict

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD_LENGTH = 7
# odd and not a multiple of 13, so coprime with 26**7: i -> i * STRIDE mod
# 26**7 is one-to-one, and the words look random
STRIDE = 2_654_435_761


def distinct_word(index: int) -> str:
    """The index-th word of a sequence in which no word repeats (for the
    first 26**7, about 8 billion)."""
    number = (index * STRIDE + 12_345) % len(LETTERS) ** WORD_LENGTH
    letters = []
    for _ in range(WORD_LENGTH):
        number, digit = divmod(number, len(LETTERS))
        letters.append(LETTERS[digit])
    return "".join(letters)


def make_distinct_collection(output_path: Path, words: int, words_per_line: int, first_word: int = 0) -> Dict:
    """A JSONL file of `words` distinct words, `words_per_line` a line,
    starting at the `first_word`-th word of the sequence."""
    with output_path.open("w", encoding="utf8") as out:
        for start in range(first_word, first_word + words, words_per_line):
            line = " ".join(distinct_word(i) for i in range(start, min(start + words_per_line, first_word + words)))
            out.write(json.dumps({"text": line}) + "\n")
    return {"words": words, "words_per_line": words_per_line, "lines": -(-words // words_per_line)}
