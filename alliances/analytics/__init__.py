"""Analytics over the store: technology × value-chain matrix, alliance network, trends.

Domain code only: functions take a Session (or a Facts snapshot) and Filters and return plain data;
the web layer and the CLI render it.
"""

from alliances.analytics.matrix import MATRIX_STAGES, MATRIX_TECHNOLOGIES, Matrix, tech_stage_matrix
from alliances.analytics.network import Network, NetworkCache, NetworkQuery
from alliances.analytics.trends import alliance_trends

__all__ = [
    "MATRIX_STAGES",
    "MATRIX_TECHNOLOGIES",
    "Matrix",
    "Network",
    "NetworkCache",
    "NetworkQuery",
    "alliance_trends",
    "tech_stage_matrix",
]
