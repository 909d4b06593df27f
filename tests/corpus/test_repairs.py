"""nerkit/corpus/repairs.py: tokens as the models read them, entities on
line-break fragments, and the counts of every repair."""

from nerkit.corpus.repairs import (
    PDF_LIGATURES,
    Repairs,
    confirmed_fragments,
    drop_fragment_entities,
    line_break_fragments,
    normalize_token,
    normalize_tokens,
)
from nerkit.pipeline_functions import PRIVATE_USE_PLACEHOLDER


def test_normalisation_of_ligatures_private_use_glyphs_and_spacing_marks():
    assert normalize_token("ﬁne-tuning") == "fine-tuning"
    assert normalize_token("diﬀerent") == "different"
    assert normalize_token("\ue03e") == PRIVATE_USE_PLACEHOLDER
    # NFKC would turn the spacing tilde into a space + combining tilde
    assert normalize_token("˜p") == "˜p"
    # a token of invisible characters only is kept: a token cannot vanish
    assert normalize_token("\u200b") == "\u200b"


def test_normalised_tokens_are_counted_with_their_changes():
    repairs = Repairs()
    tokens = normalize_tokens(["the", "ﬁne", "\ue03e", "ﬁne"], repairs)
    assert tokens == ["the", "fine", PRIVATE_USE_PLACEHOLDER, "fine"]
    assert (repairs.normalized_tokens, repairs.private_use_tokens) == (3, 1)
    assert repairs.examples == {"'ﬁne' -> 'fine'": 2, f"'\\ue03e' -> '{PRIVATE_USE_PLACEHOLDER}'": 1}


def test_every_ligature_is_read_as_its_letters():
    assert [normalize_token(ligature) for _, ligature in PDF_LIGATURES] == [plain for plain, _ in PDF_LIGATURES]
    # longest first: "ffi" is put back whole, never as "ﬀ" + "i"
    assert [plain for plain, _ in PDF_LIGATURES][:2] == ["ffi", "ffl"]


def test_only_single_token_entities_on_line_break_fragments_are_dropped():
    tokens = ["the", "distribu-", "tion", "and", "k-", "means", "clustering", "-", "x", "distribution"]
    assert line_break_fragments(tokens) == [2, 5]  # after a word cut at a line end; not after "-" alone
    tags = ["O", "O", "U-TERM", "O", "O", "B-TERM", "L-TERM", "O", "O", "U-TERM"]
    repairs = Repairs()
    drop_fragment_entities(tokens, tags, repairs)
    assert tags == ["O", "O", "O", "O", "O", "B-TERM", "L-TERM", "O", "O", "U-TERM"]
    assert repairs.fragment_entities == {"tion": 1}


def test_a_fragment_is_dropped_only_where_its_joined_word_occurs():
    # "U.S.-USDA" joins to no word of the text: a hyphenated name, kept
    tokens = ["the", "U.S.-", "USDA", "and", "distribu-", "tion"]
    assert confirmed_fragments(tokens) == []
    tags = ["O", "O", "U-ORG", "O", "O", "U-TERM"]
    drop_fragment_entities(tokens, tags, Repairs())
    assert tags == ["O", "O", "U-ORG", "O", "O", "U-TERM"]
    assert confirmed_fragments([*tokens, "distribution"]) == [5]
