"""search-gateway's periodic jobs, all declared here: `python -m search_gateway.schedules` runs them.

Each entry is a ``PeriodicJob`` naming a function to call; none yet (the query cache expires by
itself, and the search issue adds the index maintenance jobs here).
"""

from dbay_common.flask.schedules import run_schedules
from dbay_common.schedules import PeriodicJob
from search_gateway.config import SERVICE

JOBS: tuple[PeriodicJob, ...] = ()

if __name__ == "__main__":
    run_schedules(JOBS, service=SERVICE)
