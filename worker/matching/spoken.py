"""Who speaks what: the member x language matrix behind the v2 language rule."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def speakers(languages: list[list[str]]) -> tuple[list[str], sp.csr_matrix]:
    """Language codes and the member x language 0/1 matrix."""
    codes = sorted({code for spoken in languages for code in spoken})
    column = {code: k for k, code in enumerate(codes)}
    rows = [i for i, spoken in enumerate(languages) for _ in spoken]
    cols = [column[code] for spoken in languages for code in spoken]
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(languages), len(codes)))
    return codes, matrix
