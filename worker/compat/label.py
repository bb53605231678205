"""How a rated pair becomes the model's 0/1 label.

A pair who met is labelled 1 when EITHER member said "meet again" about the other after
that meetup, 0 when at least one of them filled in the form and neither said it, and is no
example at all when neither answered (silence is not a "no").

Why either, not both: about a third of members skip the feedback form, so a mutual "meet
again" needs two answers and is rare and mostly missing; one member's "meet again" is
already the product's evidence that the pair worked for someone (the policies add a bond
for it, `each_again`), and the pair weight is symmetric anyway. A "not for me" is a plain
0 here (it is also a feature of later meetups, `not_for_me_before`).
"""

from __future__ import annotations


def label(a_says_again: bool | None, b_says_again: bool | None) -> int | None:
    """1 if either said "meet again", 0 if someone answered without it, None if no one
    answered (``None`` = that member gave no feedback on the other)."""
    if a_says_again is None and b_says_again is None:
        return None
    return int(bool(a_says_again) or bool(b_says_again))
