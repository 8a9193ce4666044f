"""search-gateway's periodic jobs, all declared here: `python -m search_gateway.schedules` runs them.

Each entry is a ``PeriodicJob`` naming a function to call; none: the query cache expires by itself,
the index is kept current by the event consumer, and a rebuild is an operator's command
(``python -m search_gateway.rebuild``, docs/search.md).
"""

from dbay_common.flask.schedules import run_schedules
from dbay_common.schedules import PeriodicJob
from search_gateway.config import SERVICE

JOBS: tuple[PeriodicJob, ...] = ()

if __name__ == "__main__":
    run_schedules(JOBS, service=SERVICE)
