"""Hearth's matching engine: pure (stdlib, numpy, scipy, scikit-learn), JSON in, JSON out.

The format is ../shared/matching-format.md. `solve` groups members; `parse_instance`
validates input (raising `InstanceError` naming the field); `check_result` and
`objective` verify a result independently of the solver.
"""

from worker.matching.fields import InstanceError
from worker.matching.instance import Instance, parse_instance
from worker.matching.solver import solve
from worker.matching.validate import check_result, objective

__all__ = ["Instance", "InstanceError", "check_result", "objective", "parse_instance", "solve"]
